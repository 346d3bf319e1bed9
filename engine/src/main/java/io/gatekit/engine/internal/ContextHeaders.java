package io.gatekit.engine.internal;

import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * The context headers an observer gives an upstream attempt (a {@code traceparent}, rarely more):
 * kept to send again should the host make the attempt's headers twice, and consulted to leave out
 * the client's headers of the same names. Smaller than a {@code HttpHeaders}: it runs per attempt of
 * every observed call.
 */
final class ContextHeaders implements BiConsumer<String, String> {

    private String[] pairs = new String[2];
    private int size;

    @Override
    public void accept(String name, String value) {
        if (size == pairs.length) {
            pairs = Arrays.copyOf(pairs, size * 2);
        }
        pairs[size++] = name;
        pairs[size++] = value;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Whether {@code name} is one of them, ignoring case as HTTP does. */
    boolean contains(String name) {
        for (int i = 0; i < size; i += 2) {
            if (pairs[i].equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    void forEach(BiConsumer<String, String> sink) {
        for (int i = 0; i < size; i += 2) {
            sink.accept(pairs[i], pairs[i + 1]);
        }
    }
}
