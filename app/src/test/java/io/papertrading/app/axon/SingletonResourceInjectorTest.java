package io.papertrading.app.axon;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;

import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SingletonResourceInjectorTest {

    private final DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
    private final SingletonResourceInjector injector = new SingletonResourceInjector(beans);

    SingletonResourceInjectorTest() {
        beans.registerSingleton("clock", Clock.systemUTC());
        RootBeanDefinition perUse = new RootBeanDefinition(StringBuilder.class);
        perUse.setScope(BeanDefinition.SCOPE_PROTOTYPE);
        beans.registerBeanDefinition("scratch", perUse);
    }

    @Test
    void givesEverySagaTheSameSingletonAndANewPrototypeEachTime() {
        Saga first = new Saga();
        Saga second = new Saga();

        injector.injectResources(first);
        injector.injectResources(second);

        assertThat(first.clock).isSameAs(beans.getBean(Clock.class)).isSameAs(second.clock);
        assertThat(first.scratch).isNotNull().isNotSameAs(second.scratch);
        assertThat(first.inherited).as("fields of a superclass too").isSameAs(first.clock);
        assertThat(first.absent).as("an optional bean that is not there").isNull();
        assertThat(first.notInjected).isNull();
    }

    @Test
    void refusesASagaWhoseRequiredResourceIsMissing() {
        assertThatThrownBy(() -> injector.injectResources(new Needy()))
                .isInstanceOf(NoSuchBeanDefinitionException.class);
    }

    static class Base {
        @Autowired
        transient Clock inherited;
    }

    static class Saga extends Base {
        @Autowired
        transient Clock clock;
        @Autowired
        transient StringBuilder scratch;
        @Autowired(required = false)
        transient Runnable absent;
        transient Clock notInjected;
    }

    static class Needy {
        @Autowired
        transient Runnable required;
    }
}
