package io.gatekit.testkit.host;

import static java.util.Objects.requireNonNull;

import io.gatekit.engine.Engine;
import java.net.InetSocketAddress;

/**
 * A host the {@link HostConformance} suite runs against: its engine, and how a client reaches it.
 * A host on a socket only says where it listens; one without (the test kit's harness) sends the
 * request itself.
 *
 * <pre>{@code
 * return HostUnderTest.listening(engine, host.address(), host::close);
 * }</pre>
 */
public interface HostUnderTest extends AutoCloseable {

    /** The engine the host serves with; the suite writes its routes into it. */
    Engine engine();

    /** Sends {@code request} as a client would and returns what the client gets. */
    ClientResponse send(ClientRequest request) throws Exception;

    /** Stops the host. */
    @Override
    void close() throws Exception;

    /** A host reached over HTTP/1.1 at {@code address}, one connection per request. */
    static HostUnderTest listening(Engine engine, InetSocketAddress address, AutoCloseable stop) {
        requireNonNull(engine, "engine");
        requireNonNull(address, "address");
        requireNonNull(stop, "stop");
        return new HostUnderTest() {
            @Override
            public Engine engine() {
                return engine;
            }

            @Override
            public ClientResponse send(ClientRequest request) throws Exception {
                return RawClient.send(address, request);
            }

            @Override
            public void close() throws Exception {
                stop.close();
            }
        };
    }
}
