package io.papertrading.command;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a component that runs only on nodes that handle commands: {@code PAPER_ROLE} {@code all} (the default)
 * or {@code command}. Query nodes leave it out, so they neither accept trade commands nor run the saga.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ConditionalOnExpression("'${paper.role:all}'.toLowerCase() != 'query'")
public @interface CommandNode {
}
