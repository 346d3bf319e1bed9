package io.gatekit.plugins.ext;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Keeps what a plugin logs (its System.Logger goes to java.util.logging by default) while open. */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
        logger.addHandler(this);
    }

    /** Captures the logger of plugin {@code name}, as the engine names it. */
    static LogCapture plugin(String name) {
        return new LogCapture(Logger.getLogger("io.gatekit.plugin." + name));
    }

    /** Warnings and worse, formatted. */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(record.getMessage());
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
