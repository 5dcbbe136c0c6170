// Java's (JSSE, PKIX, HTTPS endpoint identification) verdict on a server:
// connect to 127.0.0.1:PORT as HOST, trusting the JDK's roots plus CA_FILE.
import java.io.FileInputStream;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.*;

public class Client {
    public static void main(String[] args) throws Exception {
        String port = args[0], host = args[1], caFile = args[2];
        TrustManagerFactory def = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        def.init((KeyStore) null);
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (TrustManager tm : def.getTrustManagers()) {
            if (tm instanceof X509TrustManager) {
                for (X509Certificate c : ((X509TrustManager) tm).getAcceptedIssuers()) {
                    ks.setCertificateEntry("sys" + (i++), c);
                }
            }
        }
        if (!caFile.equals("-")) {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            try (FileInputStream in = new FileInputStream(caFile)) {
                for (Certificate c : cf.generateCertificates(in)) {
                    ks.setCertificateEntry("ca" + (i++), c);
                }
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try {
            Socket raw = new Socket("127.0.0.1", Integer.parseInt(port));
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, host, Integer.parseInt(port), true);
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            p.setServerNames(java.util.List.of(new SNIHostName(host)));
            s.setSSLParameters(p);
            s.startHandshake();
            s.close();
            System.out.println("accept");
        } catch (Exception e) {
            Throwable t = e;
            while (t.getCause() != null) t = t.getCause();
            System.out.println("refuse: " + t.toString().replace('\n', ' '));
        }
    }
}
