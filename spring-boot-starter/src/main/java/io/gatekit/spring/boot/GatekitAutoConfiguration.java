package io.gatekit.spring.boot;

import io.gatekit.api.PluginFactory;
import io.gatekit.engine.Engine;
import io.gatekit.engine.host.JdkTransport;
import io.gatekit.micrometer.GatekitMicrometer;
import io.micrometer.core.instrument.MeterRegistry;
import io.gatekit.runner.RunnerSupervisor;
import io.gatekit.servlet.GatekitFilter;
import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

/**
 * Gatekit in a Spring Boot application: an {@link Engine} (unless the application defines one) with
 * the plugins {@code ServiceLoader} finds and the {@link PluginFactory} beans, its routes from
 * {@code gatekit.config} or etcd ({@link GatekitProperties}), and in front of the application the
 * servlet {@link GatekitFilter} (MVC) or {@link GatekitWebFilter} (WebFlux). A request no route
 * matches reaches the application untouched. With a Micrometer {@code MeterRegistry} bean, the
 * engine records into it.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnBooleanProperty(name = "gatekit.enabled", matchIfMissing = true)
@EnableConfigurationProperties(GatekitProperties.class)
public class GatekitAutoConfiguration {

    /** The order of Gatekit's filter: ahead of the application's filters, behind none but the first. */
    public static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

    /** The engine: discovered plugins, plugin beans, then the customizers. Closed with the context. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Engine gatekitEngine(ObjectProvider<PluginFactory<?>> plugins,
            ObjectProvider<GatekitEngineCustomizer> customizers, ResourceLoader resources,
            GatekitProperties properties) {
        ClassLoader loader = resources.getClassLoader() != null ? resources.getClassLoader()
                : ClassUtils.getDefaultClassLoader();
        Engine.Builder builder = Engine.builder().discoverPlugins(loader);
        plugins.orderedStream().forEach(builder::plugin);
        PluginSettings.apply(properties, builder);
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return PluginSettings.build(properties, builder);
    }

    /**
     * The config source, loaded into the engine now: an invalid {@code gatekit.config} fails the
     * start with APISIX's message.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public GatekitConfig gatekitConfig(Engine engine, GatekitProperties properties, ResourceLoader resources) {
        ClassLoader loader = resources.getClassLoader() != null ? resources.getClassLoader()
                : ClassUtils.getDefaultClassLoader();
        return GatekitConfig.start(engine, properties, loader);
    }

    /**
     * The ext-plugin runner of {@code gatekit.ext-plugin.*}: started (or, for
     * {@code path-for-test} alone, watched) before the engine, stopped with the context.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @Conditional(ExtPluginRunner.Configured.class)
    public RunnerSupervisor gatekitRunner(GatekitProperties properties) {
        return ExtPluginRunner.start(properties.extPlugin());
    }

    /**
     * Points the {@code ext-plugin-*} plugins at the runner's socket when the application has one
     * ({@code gatekit.ext-plugin.*} or a {@link RunnerSupervisor} bean of its own), added to their
     * {@code gatekit.plugin-attr} unless that names a {@code socket_path}. It runs before
     * the application's customizers, so a {@code pluginAttributes} of theirs for one of these
     * plugins replaces this one.
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    @ConditionalOnBean(RunnerSupervisor.class)
    public GatekitEngineCustomizer gatekitRunnerSocket(RunnerSupervisor runner, GatekitProperties properties) {
        return builder -> ExtPluginRunner.PLUGINS.forEach(plugin -> builder.pluginAttributes(plugin,
                ExtPluginRunner.attributes(runner, plugin, properties.pluginAttr().get(plugin))));
    }

    /**
     * Micrometer, when the application has a {@code MeterRegistry} bean (Actuator makes one): the
     * plugins' metrics and the engine's own series (plugin phase latency, plugin failures, config
     * changes) recorded into it, under the names {@link GatekitMicrometer} gives.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry",
            "io.gatekit.micrometer.GatekitMicrometer"})
    @ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
    static class Metrics {

        @Bean
        @ConditionalOnMissingBean(name = "gatekitMicrometer")
        GatekitEngineCustomizer gatekitMicrometer(ObjectProvider<MeterRegistry> registry) {
            return builder -> GatekitMicrometer.bind(builder, registry.getObject());
        }
    }

    /**
     * Reactor Netty on the class path (WebFlux, Spring Cloud Gateway): plugins' outbound requests,
     * such as {@code proxy-mirror}'s copies, go out on it ({@link ReactorNettyHttpClient}), through
     * the application's own {@code reactor.netty.http.client.HttpClient} bean when it has exactly one
     * (Spring Cloud Gateway's), instead of the engine's default {@code java.net.http} client. An
     * application customizer that sets {@code httpClient} runs later and wins.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "reactor.netty.http.client.HttpClient")
    static class ReactorNetty {

        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE + 1)
        @ConditionalOnMissingBean(name = "gatekitReactorNettyHttpClient")
        GatekitEngineCustomizer gatekitReactorNettyHttpClient(
                ObjectProvider<reactor.netty.http.client.HttpClient> clients) {
            return builder -> builder.httpClient(ReactorNettyHttpClient.on(
                    clients.getIfUnique(reactor.netty.http.client.HttpClient::create)));
        }
    }

    /** MVC (any servlet application): the async servlet filter on every path, for REQUEST and ASYNC. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass({GatekitFilter.class, FilterRegistrationBean.class})
    static class Servlet {

        @Bean
        @ConditionalOnMissingBean(name = "gatekitFilter")
        FilterRegistrationBean<GatekitFilter> gatekitFilter(Engine engine, GatekitConfig config) {
            GatekitFilter filter = GatekitFilter.builder(engine).transport(JdkTransport.create()).build();
            FilterRegistrationBean<GatekitFilter> registration = new FilterRegistrationBean<>(filter);
            registration.setName(GatekitFilter.NAME);
            registration.setAsyncSupported(true);
            registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
            registration.addUrlPatterns("/*");
            registration.setOrder(FILTER_ORDER);
            return registration;
        }
    }

    /** WebFlux: {@link GatekitWebFilter}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnClass(name = "org.springframework.web.server.WebFilter")
    static class Reactive {

        @Bean
        @ConditionalOnMissingBean
        GatekitWebFilter gatekitWebFilter(Engine engine, GatekitConfig config) {
            return new GatekitWebFilter(engine, JdkTransport.create());
        }
    }
}
