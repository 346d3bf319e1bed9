package io.gatekit.runner;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A System.Logger that keeps every message, formatted, for assertions. */
final class RecordingLogger implements System.Logger {

    final List<String> messages = new CopyOnWriteArrayList<>();

    boolean contains(String part) {
        return messages.stream().anyMatch(message -> message.contains(part));
    }

    @Override
    public String getName() {
        return "recording";
    }

    @Override
    public boolean isLoggable(Level level) {
        return true;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        messages.add(level + " " + message);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        messages.add(level + " " + (params == null || params.length == 0 ? format : MessageFormat.format(format, params)));
    }
}
