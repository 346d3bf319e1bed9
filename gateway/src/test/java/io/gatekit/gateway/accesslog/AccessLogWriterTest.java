package io.gatekit.gateway.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log's writer against a disk that stops taking lines: a named pipe nobody reads,
 * which blocks the writer thread once the pipe's buffer is full.
 */
class AccessLogWriterTest {

    @TempDir
    Path dir;

    @Test
    void aFullQueueDropsAndCountsLinesAndNeverBlocksTheCaller() throws Exception {
        Path fifo = dir.resolve("access.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        // opened read-write, the pipe has a reader (so the writer's open does not wait), who reads nothing yet
        try (RandomAccessFile holder = new RandomAccessFile(fifo.toFile(), "rw")) {
            AccessLogWriter writer = new AccessLogWriter(fifo, 100);
            String padding = "x".repeat(200);
            int total = 5000;
            Set<String> accepted = new HashSet<>();
            for (int i = 0; i < total; i++) {
                String line = i + " " + padding;
                if (writer.log(line)) {
                    accepted.add(line);
                }
            }

            // the pipe holds 64 KiB (~300 lines) and the queue 100: the rest was dropped and counted
            assertTrue(writer.dropped() > 0, "dropped: " + writer.dropped());
            assertEquals(total, accepted.size() + writer.dropped());
            // what was accepted reaches the file once the reader reads, in order, nothing lost
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                    new FileInputStream(holder.getFD()), StandardCharsets.UTF_8))) {
                int previous = -1;
                for (int i = 0; i < accepted.size(); i++) {
                    String line = reader.readLine();
                    assertTrue(accepted.contains(line), line);
                    int number = Integer.parseInt(line.substring(0, line.indexOf(' ')));
                    assertTrue(number > previous);
                    previous = number;
                }
                writer.close();
            }
            assertEquals(accepted.size(), writer.written());
        }
    }
}
