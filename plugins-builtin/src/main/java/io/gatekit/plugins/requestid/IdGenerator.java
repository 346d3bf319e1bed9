package io.gatekit.plugins.requestid;

import io.gatekit.api.Arguments;
import java.math.BigInteger;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Makes ids for {@code request-id}, one algorithm per implementation; thread-safe. */
abstract class IdGenerator {

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final String NANOID_ALPHABET =
            "-_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final char[] BASE62 =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    /** KSUID's epoch: 2014-05-13T16:53:20Z, in Unix seconds. */
    private static final long KSUID_EPOCH = 1_400_000_000L;

    abstract String next();

    static IdGenerator of(String algorithm, RequestIdFactory.RangeId range, Clock clock) {
        return switch (algorithm) {
            case "uuid" -> new IdGenerator() {
                @Override
                String next() {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    long high = (random.nextLong() & ~0xF000L) | 0x4000L;               // version 4
                    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | Long.MIN_VALUE; // variant 10
                    return uuid(high, low);
                }
            };
            case "uuidv7" -> new UuidV7(clock);
            case "nanoid" -> new IdGenerator() {
                @Override
                String next() {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    char[] id = new char[21];
                    for (int i = 0; i < id.length; i++) {
                        id[i] = NANOID_ALPHABET.charAt(random.nextInt(64));
                    }
                    return new String(id);
                }
            };
            case "ksuid" -> new IdGenerator() {
                @Override
                String next() {
                    byte[] raw = new byte[21]; // a leading 0 keeps the BigInteger positive
                    long seconds = clock.millis() / 1000 - KSUID_EPOCH;
                    for (int i = 0; i < 4; i++) {
                        raw[1 + i] = (byte) (seconds >>> (24 - 8 * i));
                    }
                    byte[] payload = new byte[16];
                    ThreadLocalRandom.current().nextBytes(payload);
                    System.arraycopy(payload, 0, raw, 5, 16);
                    BigInteger value = new BigInteger(raw);
                    char[] id = new char[27];
                    BigInteger base = BigInteger.valueOf(62);
                    for (int i = id.length - 1; i >= 0; i--) {
                        BigInteger[] qr = value.divideAndRemainder(base);
                        id[i] = BASE62[qr[1].intValue()];
                        value = qr[0];
                    }
                    return new String(id);
                }
            };
            case "range_id" -> new IdGenerator() {
                private final String chars = range.charSet();
                private final int length = range.length();

                @Override
                String next() {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    char[] id = new char[length];
                    for (int i = 0; i < length; i++) {
                        id[i] = chars.charAt(random.nextInt(chars.length()));
                    }
                    return new String(id);
                }
            };
            default -> throw Arguments.invalid("algorithm", "\"" + algorithm
                    + "\"", "uuid, nanoid, range_id, ksuid or uuidv7");
        };
    }

    static String uuid(long high, long low) {
        char[] out = new char[36];
        int at = 0;
        for (int i = 15; i >= 0; i--) {
            out[at++] = HEX[(int) (high >>> (i * 4)) & 15];
            if (i == 8 || i == 4) {
                out[at++] = '-';
            }
        }
        out[at++] = '-';
        for (int i = 15; i >= 0; i--) {
            out[at++] = HEX[(int) (low >>> (i * 4)) & 15];
            if (i == 12) {
                out[at++] = '-';
            }
        }
        return new String(out);
    }

    /**
     * Version 7: 48 bits of Unix milliseconds, then a counter in the 12 {@code rand_a} bits, so ids
     * made in one millisecond still sort in order (RFC 9562, method 1), then 62 random bits.
     */
    private static final class UuidV7 extends IdGenerator {
        private final Clock clock;
        /** The last (millisecond << 12 | counter) handed out. */
        private final AtomicLong last = new AtomicLong();

        UuidV7(Clock clock) {
            this.clock = clock;
        }

        @Override
        String next() {
            long stamp;
            while (true) {
                long previous = last.get();
                long now = clock.millis() << 12;
                stamp = now > previous ? now : previous + 1;
                if (last.compareAndSet(previous, stamp)) {
                    break;
                }
            }
            long millis = stamp >>> 12;
            long counter = stamp & 0xFFF;
            long high = (millis << 16) | 0x7000L | counter;
            long low = (ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | Long.MIN_VALUE;
            return uuid(high, low);
        }
    }
}
