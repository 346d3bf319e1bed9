package io.gatekit.gateway.tls;

import io.netty.handler.ssl.util.SimpleTrustManagerFactory;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts client certificates issued by an SSL's {@code client.ca}, with at most
 * {@code client.depth} intermediate certificates between the client's own and the CA, as nginx's
 * {@code ssl_verify_depth} (OpenSSL's verify depth) counts them: 0 accepts only a certificate
 * signed by the CA itself, 1 (the default) one intermediate as well.
 */
final class ClientCertificateTrust extends SimpleTrustManagerFactory {

    private final X509TrustManager manager;

    ClientCertificateTrust(List<X509Certificate> authorities, int depth) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("empty trust store", e);
        }
        for (int i = 0; i < authorities.size(); i++) {
            store.setCertificateEntry("ca" + i, authorities.get(i));
        }
        TrustManagerFactory pkix = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        pkix.init(store);
        X509TrustManager delegate = null;
        for (TrustManager candidate : pkix.getTrustManagers()) {
            if (candidate instanceof X509TrustManager x509) {
                delegate = x509;
            }
        }
        if (delegate == null) {
            throw new GeneralSecurityException("no X.509 trust manager in " + pkix.getAlgorithm());
        }
        this.manager = new Bounded(delegate, depth, authorities.toArray(new X509Certificate[0]));
    }

    @Override
    protected void engineInit(KeyStore keyStore) {
    }

    @Override
    protected void engineInit(ManagerFactoryParameters parameters) {
    }

    @Override
    protected TrustManager[] engineGetTrustManagers() {
        return new TrustManager[] {manager};
    }

    private record Bounded(X509TrustManager delegate, int depth, X509Certificate[] issuers)
            implements X509TrustManager {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
            // nginx's ssl_verify_depth is OpenSSL's verify depth: at most that many intermediate
            // certificates between the client's own and the trusted CA (0: signed by the CA itself)
            X509Certificate last = chain[chain.length - 1];
            boolean anchorSent = chain.length > 1 && java.util.Arrays.asList(issuers).contains(last);
            int intermediates = chain.length - 1 - (anchorSent ? 1 : 0);
            if (intermediates > depth) {
                throw new CertificateException("client certificate chain has " + intermediates + " intermediate "
                        + "certificate(s) (expected: at most client.depth " + depth + ")");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a server certificate is not checked here");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return issuers.clone();
        }
    }
}
