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
 * {@code client.depth} certificates above the client's own, as nginx's
 * {@code ssl_verify_depth} counts them (1: signed by the CA itself).
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
            // the issuers above the client's certificate: those sent, plus the trusted CA unless sent too
            X509Certificate last = chain[chain.length - 1];
            boolean anchorSent = last.getSubjectX500Principal().equals(last.getIssuerX500Principal())
                    && chain.length > 1;
            int above = anchorSent ? chain.length - 1 : chain.length;
            if (above > depth) {
                throw new CertificateException("client certificate chain has " + above + " issuers above it "
                        + "(expected: at most client.depth " + depth + ")");
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
