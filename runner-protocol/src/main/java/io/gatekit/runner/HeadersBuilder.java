package io.gatekit.runner;

import java.util.List;

/**
 * The header setters every builder of a protocol message with headers shares; a missing name or
 * value is refused at once.
 *
 * @param <B> the concrete builder, returned by each setter
 */
abstract class HeadersBuilder<B extends HeadersBuilder<B>> {

    final Entries headers = new Entries();

    HeadersBuilder() {
    }

    @SuppressWarnings("unchecked")
    final B self() {
        return (B) this;
    }

    /** Adds a header. */
    public B addHeader(String name, String value) {
        headers.add(name, value);
        return self();
    }

    /** Adds a header. */
    public B addHeader(TextEntry header) {
        headers.add(header, "header");
        return self();
    }

    /** Replaces the headers added so far. */
    public B headers(List<TextEntry> headers) {
        this.headers.replaceAll(headers);
        return self();
    }
}
