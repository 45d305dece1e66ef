package io.papertrading.app.axon;

import org.axonframework.modelling.saga.ResourceInjector;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.DependencyDescriptor;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gives a saga its {@code @Autowired} fields from the Spring context, as Axon's {@code SpringResourceInjector} does,
 * but works out once per saga class which bean each field gets. A saga is loaded for nearly every event of its
 * trade, and Spring's autowiring of a new object each time (every field's candidates looked up by type) was about
 * 1.3% of the app's CPU under load. A field whose bean is not a singleton is resolved on every injection, so the
 * saga never keeps a bean longer than its scope allows.
 */
final class SingletonResourceInjector implements ResourceInjector {

    private final ConfigurableListableBeanFactory beans;
    private final Map<Class<?>, List<Injection>> plans = new ConcurrentHashMap<>();

    SingletonResourceInjector(ConfigurableListableBeanFactory beans) {
        this.beans = beans;
    }

    @Override
    public void injectResources(Object saga) {
        for (Injection injection : plans.computeIfAbsent(saga.getClass(), this::plan)) {
            injection.into(saga, beans);
        }
    }

    private List<Injection> plan(Class<?> type) {
        List<Injection> plan = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                Autowired autowired = field.getAnnotation(Autowired.class);
                if (autowired == null || Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                DependencyDescriptor descriptor = new DependencyDescriptor(field, autowired.required());
                Set<String> names = new LinkedHashSet<>();
                Object bean = beans.resolveDependency(descriptor, null, names, null);
                boolean singleton = bean != null && !names.isEmpty() && names.stream().allMatch(beans::isSingleton);
                plan.add(new Injection(field, descriptor, singleton ? bean : null, singleton));
            }
        }
        return List.copyOf(plan);
    }

    /** A field and its bean: fixed for a singleton, else resolved again by its descriptor on every injection. */
    private record Injection(Field field, DependencyDescriptor descriptor, Object singleton, boolean fixed) {

        void into(Object saga, ConfigurableListableBeanFactory beans) {
            Object value = fixed ? singleton : beans.resolveDependency(descriptor, null);
            if (value == null) {
                return; // an optional resource that is not there, as Spring leaves it
            }
            try {
                field.set(saga, value);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot inject " + field, e);
            }
        }
    }
}
