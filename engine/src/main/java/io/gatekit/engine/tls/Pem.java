package io.gatekit.engine.tls;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM text of an APISIX {@code ssls} resource with the JDK alone: certificate chains,
 * and private keys in the three forms {@code openssl} writes (PKCS#8 {@code PRIVATE KEY}, PKCS#1
 * {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY}). Every failure is an
 * {@link IllegalArgumentException} whose message says what is wrong, without the key material.
 */
public final class Pem {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** rsaEncryption, 1.2.840.113549.1.1.1, with its NULL parameters, DER-encoded. */
    private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
    /** id-ecPublicKey, 1.2.840.10045.2.1, DER-encoded (the curve follows as its parameters). */
    private static final byte[] EC_OID = hex("06072a8648ce3d0201");

    private Pem() {
    }

    /**
     * The certificates of {@code pem}, leaf first.
     *
     * @throws IllegalArgumentException when there is none, or one does not parse
     */
    public static List<X509Certificate> certificates(String pem) {
        requireNonNull(pem, "pem");
        List<X509Certificate> chain = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("every JRE reads X.509", e);
        }
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            if (!m.group(1).equals("CERTIFICATE")) {
                continue;
            }
            try {
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(decode(m.group(2)))));
            } catch (CertificateException | IllegalArgumentException e) {
                throw new IllegalArgumentException("PEM_read_bio_X509_AUX() failed: certificate " + (chain.size() + 1)
                        + " is not a DER X.509 certificate (" + e.getMessage() + ")");
            }
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("PEM_read_bio_X509_AUX() failed: no -----BEGIN CERTIFICATE----- block");
        }
        return List.copyOf(chain);
    }

    /**
     * The private key of {@code pem}.
     *
     * @throws IllegalArgumentException when there is no unencrypted key block, or it does not parse
     */
    public static PrivateKey privateKey(String pem) {
        requireNonNull(pem, "pem");
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            byte[] der;
            try {
                der = decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("PEM_read_bio_PrivateKey() failed: bad base64 in " + type);
            }
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(der, type);
                case "RSA PRIVATE KEY":
                    return pkcs8(sequence(concat(new byte[] {2, 1, 0}, RSA_ALGORITHM, tlv(0x04, der))), type);
                case "EC PRIVATE KEY":
                    return pkcs8(sequence(concat(new byte[] {2, 1, 0}, sequence(concat(EC_OID, curve(der))),
                            tlv(0x04, der))), type);
                case "ENCRYPTED PRIVATE KEY":
                    throw new IllegalArgumentException("PEM_read_bio_PrivateKey() failed: the key is encrypted "
                            + "(expected: an unencrypted key)");
                default:
                    // EC PARAMETERS and the like come before the key: skip them
            }
        }
        throw new IllegalArgumentException("PEM_read_bio_PrivateKey() failed: no -----BEGIN PRIVATE KEY----- "
                + "(or RSA PRIVATE KEY, EC PRIVATE KEY) block");
    }

    /** Whether {@code key} is the private half of {@code certificate}'s public key. */
    public static boolean matches(X509Certificate certificate, PrivateKey key) {
        PublicKey pub = certificate.getPublicKey();
        if (pub instanceof RSAPublicKey rsa && key instanceof RSAPrivateCrtKey crt) {
            return rsa.getModulus().equals(crt.getModulus()) && rsa.getPublicExponent().equals(crt.getPublicExponent());
        }
        if (!pub.getAlgorithm().equals(key.getAlgorithm())) {
            return false;
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        byte[] probe = "gatekit key pair probe".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static PrivateKey pkcs8(byte[] der, String type) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this algorithm: try the next
            }
        }
        throw new IllegalArgumentException("PEM_read_bio_PrivateKey() failed: the " + type
                + " block is not an RSA, EC or EdDSA key");
    }

    /** The named curve OID of a SEC1 ECPrivateKey: its {@code [0]} field. */
    private static byte[] curve(byte[] sec1) {
        Der outer = new Der(sec1, 0);
        if (outer.tag != 0x30) {
            throw new IllegalArgumentException("PEM_read_bio_PrivateKey() failed: the EC PRIVATE KEY block is not "
                    + "a DER sequence");
        }
        int at = outer.start;
        while (at < outer.end) {
            Der field = new Der(sec1, at);
            if (field.tag == 0xa0) {
                Der oid = new Der(sec1, field.start);
                if (oid.tag == 0x06) {
                    return java.util.Arrays.copyOfRange(sec1, field.start, oid.end);
                }
            }
            at = field.end;
        }
        throw new IllegalArgumentException("PEM_read_bio_PrivateKey() failed: the EC PRIVATE KEY block names no "
                + "curve (expected: a named curve such as prime256v1)");
    }

    /** One DER element: tag, and where its contents start and end. */
    private static final class Der {
        final int tag;
        final int start;
        final int end;

        Der(byte[] der, int at) {
            if (at + 2 > der.length) {
                throw new IllegalArgumentException("PEM_read_bio_PrivateKey() failed: truncated DER");
            }
            tag = der[at] & 0xff;
            int length = der[at + 1] & 0xff;
            int pos = at + 2;
            if (length > 0x80) {
                int bytes = length - 0x80;
                if (bytes > 3 || pos + bytes > der.length) {
                    throw new IllegalArgumentException("PEM_read_bio_PrivateKey() failed: bad DER length");
                }
                length = new BigInteger(1, java.util.Arrays.copyOfRange(der, pos, pos + bytes)).intValue();
                pos += bytes;
            }
            start = pos;
            end = pos + length;
            if (end > der.length) {
                throw new IllegalArgumentException("PEM_read_bio_PrivateKey() failed: truncated DER");
            }
        }
    }

    private static byte[] decode(String base64) {
        return Base64.getMimeDecoder().decode(base64.replaceAll("\\s", ""));
    }

    private static byte[] sequence(byte[] contents) {
        return tlv(0x30, contents);
    }

    private static byte[] tlv(int tag, byte[] contents) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(contents.length + 6);
        out.write(tag);
        int n = contents.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(contents);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] hex(String hex) {
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
