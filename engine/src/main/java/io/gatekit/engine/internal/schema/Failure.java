package io.gatekit.engine.internal.schema;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import java.util.List;

/**
 * One failed keyword as a validator library reports it, before it is worded for users. This is
 * the neutral shape a {@link SchemaValidator} implementation hands to {@link LuaReasons}, so the
 * wording does not depend on the library.
 *
 * @param pointer the path (decoded tokens) of the failing value in the document
 * @param keyword the JSON Schema keyword that failed
 * @param location the path (decoded tokens) of the failing schema from the schema root, or
 *     {@code null} when the library did not say
 * @param member for {@code required}, {@code additionalProperties} and {@code dependencies}: the
 *     missing or extra member's name; otherwise {@code null}
 * @param libraryMessage the library's own text, used only when nothing better is known
 * @param causes for {@code oneOf} and {@code anyOf}: the failures of the branches, flattened
 */
record Failure(
        List<String> pointer,
        String keyword,
        @Nullable List<String> location,
        @Nullable String member,
        String libraryMessage,
        List<Failure> causes) {

    Failure {
        pointer = List.copyOf(requireNonNull(pointer, "pointer"));
        requireNonNull(keyword, "keyword");
        location = location == null ? null : List.copyOf(location);
        requireNonNull(libraryMessage, "libraryMessage");
        causes = List.copyOf(requireNonNull(causes, "causes"));
    }
}
