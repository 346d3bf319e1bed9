package io.gatekit.spring.boot;

import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Violation;
import java.util.stream.Collectors;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * Turns a start-up that failed on an invalid Gatekit config into Spring Boot's "APPLICATION FAILED
 * TO START" report: the description is APISIX's {@code error_msg}, as the gateway prints it, the
 * action lists every violation, so the whole report is readable without the stack trace.
 */
final class ConfigFailureAnalyzer extends AbstractFailureAnalyzer<ConfigException> {

    private final Environment environment;

    ConfigFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigException cause) {
        String location = environment.getProperty("gatekit.config", "the Gatekit config source");
        String description = location + ": " + cause.errorMsg();
        String action = "Fix the config in " + location + "; every violation found:\n" + cause.violations().stream()
                .map(ConfigFailureAnalyzer::line).collect(Collectors.joining("\n"));
        return new FailureAnalysis(description, action, cause);
    }

    private static String line(Violation violation) {
        return "  " + (violation.pointer().isEmpty() ? "/" : violation.pointer()) + " (" + violation.keyword() + "): "
                + violation.message();
    }
}
