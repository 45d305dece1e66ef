package io.papertrading.query;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a component that runs only on nodes that answer queries: {@code PAPER_ROLE} {@code all} (the default)
 * or {@code query}. Command nodes leave it out, so they run no projections and serve no dashboards.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ConditionalOnExpression("'${paper.role:all}'.toLowerCase() != 'command'")
public @interface QueryNode {
}
