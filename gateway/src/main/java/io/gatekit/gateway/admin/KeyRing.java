package io.gatekit.gateway.admin;

import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The configured admin keys, held only as SHA-256 digests. A presented key is digested too and
 * compared with {@link MessageDigest#isEqual} against every entry, without stopping at a match:
 * the time taken depends neither on how much of a key was right nor on which entry matched, and
 * comparing equal-length digests hides the keys' lengths.
 */
final class KeyRing {

    /**
     * One configured key.
     *
     * @param name   its name, for logs
     * @param digest SHA-256 of the key's UTF-8 bytes
     * @param role   what it may do
     */
    record Entry(String name, byte[] digest, AdminApi.Role role) {
    }

    private final List<Entry> entries;

    private KeyRing(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    static Builder builder() {
        return new Builder();
    }

    /** Whether no key is configured. */
    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The entry whose key is {@code presented}, or {@code null}. */
    @Nullable Entry lookup(String presented) {
        byte[] digest = digest(presented);
        Entry found = null;
        for (Entry entry : entries) {
            boolean equal = MessageDigest.isEqual(entry.digest(), digest);
            if (equal && found == null) {
                found = entry;
            }
        }
        return found;
    }

    /** SHA-256 of {@code key}'s UTF-8 bytes: 32 bytes whatever the key's length. */
    static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JRE has SHA-256", e);
        }
    }

    static final class Builder {
        private final List<Entry> entries = new ArrayList<>();

        Builder add(String name, String key, AdminApi.Role role) {
            if (name.isEmpty()) {
                throw Arguments.invalid("name", "\"\"", "a non-empty key name");
            }
            if (key.isEmpty()) {
                throw new IllegalArgumentException("key of " + name + ": \"\" (expected: a non-empty key)");
            }
            byte[] digest = digest(key);
            for (Entry entry : entries) {
                if (entry.name().equals(name)) {
                    throw Arguments.invalid("name", name, "names unique among admin keys");
                }
                if (MessageDigest.isEqual(entry.digest(), digest)) {
                    throw new IllegalArgumentException("key of " + name + ": same as the key of " + entry.name()
                            + " (expected: keys unique, so that a key has one role)");
                }
            }
            entries.add(new Entry(name, digest, role));
            return this;
        }

        KeyRing build() {
            return new KeyRing(entries);
        }
    }
}
