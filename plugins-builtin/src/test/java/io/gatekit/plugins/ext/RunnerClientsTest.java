package io.gatekit.plugins.ext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.gatekit.runner.ExtraInfoHandler;
import io.gatekit.runner.HttpReqCall;
import io.gatekit.runner.Reply;
import io.gatekit.runner.ReqAction;
import io.gatekit.runner.RunnerClient;
import io.gatekit.runner.RunnerConf;
import io.gatekit.runner.RunnerServer;
import io.gatekit.runner.TestPlugins;
import io.gatekit.testing.TempDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The clients shared by every ext-plugin instance of the process. */
class RunnerClientsTest {

    private Path dir;

    @BeforeEach
    void makeDir() {
        dir = TempDirs.create("gk-ext-");
    }

    @AfterEach
    void removeDir() throws IOException {
        TempDirs.delete(dir);
    }

    @Test
    void aClientThatWasClosedIsNeverHandedOutAgainNotEvenByTheLeasesHoldingIt() {
        Path socket = dir.resolve("runner.sock").toAbsolutePath();
        RunnerClients.Settings settings = new RunnerClients.Settings(socket, Duration.ofSeconds(1),
                Duration.ofSeconds(60), Duration.ofSeconds(60));
        RunnerConf conf = RunnerConf.builder().id("route#1#ext-plugin-pre-req").version(1)
                .addPlugin("gk-stop", "x").build();
        try (RunnerServer runner = TestPlugins.register(RunnerServer.builder().socketPath(socket)).build().start()) {
            try (RunnerClients.Lease lease = RunnerClients.acquire(settings)) {
                RunnerClient closed = lease.client();
                closed.close(); // however it came to be closed, the routes using it must not all answer 503

                ReqAction action = lease.client().httpReqCall(conf, HttpReqCall.builder().build(),
                        ExtraInfoHandler.none());

                assertInstanceOf(Reply.class, action);
                try (RunnerClients.Lease other = RunnerClients.acquire(settings)) {
                    assertSame(lease.client(), other.client());
                    assertNotSame(closed, other.client());
                }
            }
            assertEquals(0, RunnerClients.leases(socket));
        }
    }
}
