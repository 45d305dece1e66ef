package io.papertrading.app.web;

import io.papertrading.broker.BrokerAuthException;
import io.papertrading.broker.BrokerException;
import io.papertrading.broker.BrokerOrderRejectedException;
import io.papertrading.kernel.error.ErrorCode;
import io.papertrading.kernel.error.FieldError;
import io.papertrading.kernel.error.BrokerInUseException;
import io.papertrading.kernel.error.IllegalTransitionException;
import io.papertrading.kernel.error.RequestRefusedException;
import io.papertrading.kernel.error.VersionConflictException;
import io.papertrading.kernel.error.ValidationFailedException;
import io.papertrading.kernel.error.RiskLimitException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.context.request.WebRequest;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The one place where refusals and failures become HTTP answers: problem details with a stable code, and
 * never a stack trace, SQL or secret.
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    @ExceptionHandler(RequestRefusedException.class)
    ResponseEntity<ProblemDetail> refused(RequestRefusedException e) {
        ProblemDetail problem;
        if (e instanceof ValidationFailedException v) {
            problem = validation(v.getMessage(), v.errors());
        } else if (e instanceof VersionConflictException v) {
            problem = Problems.of(HttpStatus.CONFLICT, v.code().name(), v.getMessage(),
                    Map.of("currentVersion", v.currentVersion()));
        } else if (e instanceof IllegalTransitionException t) {
            problem = Problems.of(HttpStatus.CONFLICT, t.code().name(), t.getMessage(),
                    Map.of("from", t.from().name(), "to", t.to().name()));
        } else if (e instanceof RiskLimitException r) {
            problem = Problems.of(HttpStatus.UNPROCESSABLE_ENTITY, r.code().name(), r.getMessage(),
                    Map.of("limit", r.limit()));
        } else if (e instanceof BrokerInUseException b) {
            problem = Problems.of(HttpStatus.CONFLICT, b.code().name(), b.getMessage(),
                    Map.of("liveTrades", b.liveTrades()));
        } else {
            problem = Problems.of(statusOf(e.code()), e.code().name(), e.getMessage());
        }
        ResponseEntity.BodyBuilder response = ResponseEntity.status(problem.getStatus());
        if (e instanceof VersionConflictException v) {
            response.header(HttpHeaders.ETAG, "\"" + v.currentVersion() + "\"");
        }
        return response.body(problem);
    }

    private static HttpStatus statusOf(ErrorCode code) {
        return switch (code) {
            case VALIDATION_FAILED -> HttpStatus.BAD_REQUEST;
            case IDEMPOTENCY_KEY_REUSED, RISK_LIMIT, BROKER_CREDENTIALS -> HttpStatus.UNPROCESSABLE_ENTITY;
            case VERSION_CONFLICT, ILLEGAL_TRANSITION, BROKER_IN_USE, OPERATION_CONFLICT -> HttpStatus.CONFLICT;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case BROKER_UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case TOO_MANY_STREAMS -> HttpStatus.TOO_MANY_REQUESTS;
        };
    }

    static ProblemDetail validation(String detail, List<FieldError> errors) {
        return Problems.of(HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED.name(), detail,
                Map.of("errors", errors.stream().map(f -> Map.of("field", f.field(), "message", f.message())).toList()));
    }

    /** The broker's own failures: never its message (it may echo request details), only what the user can do. */
    @ExceptionHandler(BrokerException.class)
    ProblemDetail broker(BrokerException e) {
        if (e instanceof BrokerAuthException) {
            return Problems.of(HttpStatus.UNPROCESSABLE_ENTITY, ErrorCode.BROKER_CREDENTIALS.name(),
                    "the broker refused your credentials; re-enter your broker credentials");
        }
        if (e instanceof BrokerOrderRejectedException rejected) {
            return Problems.of(HttpStatus.UNPROCESSABLE_ENTITY, "BROKER_REJECTED",
                    "the broker rejected the request: " + rejected.reason());
        }
        return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, ErrorCode.BROKER_UNAVAILABLE.name(),
                "the broker cannot be reached right now; nothing was changed, try again shortly");
    }

    @ExceptionHandler(AggregateNotFoundException.class)
    ProblemDetail unknownAggregate(AggregateNotFoundException e) {
        return Problems.of(HttpStatus.NOT_FOUND, ErrorCode.NOT_FOUND.name(), "no trade " + e.getAggregateIdentifier());
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        return answer(JsonRefusals.problem(e));
    }

    @Override
    protected ResponseEntity<Object> handleServletRequestBindingException(ServletRequestBindingException e,
                                                                          HttpHeaders headers, HttpStatusCode status,
                                                                          WebRequest request) {
        if (e instanceof MissingRequestHeaderException missing) {
            return answer(validation("a required header is missing",
                    List.of(new FieldError(missing.getHeaderName(), "required header"))));
        }
        return answer(validation("the request is missing a required part", List.of(new FieldError("request", "incomplete"))));
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException e,
                                                                          HttpHeaders headers, HttpStatusCode status,
                                                                          WebRequest request) {
        return answer(validation("a required parameter is missing", List.of(new FieldError(e.getParameterName(), "required"))));
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException e, HttpHeaders headers,
                                                        HttpStatusCode status, WebRequest request) {
        String name = e instanceof MethodArgumentTypeMismatchException m ? m.getName()
                : e.getPropertyName() == null ? "request" : e.getPropertyName();
        return answer(validation("a parameter has the wrong type", List.of(new FieldError(name, "invalid value"))));
    }

    @Override
    protected ResponseEntity<Object> handleNoResourceFoundException(NoResourceFoundException e, HttpHeaders headers,
                                                                    HttpStatusCode status, WebRequest request) {
        return answer(Problems.of(HttpStatus.NOT_FOUND, ErrorCode.NOT_FOUND.name(), "no such resource"));
    }

    @Override
    protected ResponseEntity<Object> handleHttpRequestMethodNotSupported(HttpRequestMethodNotSupportedException e,
                                                                         HttpHeaders headers, HttpStatusCode status,
                                                                         WebRequest request) {
        // the headers carry Allow
        return answer(Problems.ofStatus(HttpStatus.METHOD_NOT_ALLOWED, "this method is not allowed here"),
                headers);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(HttpMediaTypeNotSupportedException e,
                                                                     HttpHeaders headers, HttpStatusCode status,
                                                                     WebRequest request) {
        return answer(Problems.ofStatus(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "send application/json"));
    }

    /**
     * Every other standard refusal of Spring MVC (not acceptable, missing path variable, async timeout...)
     * keeps its status and gains the contract's {@code code}, named after the status; its detail is replaced,
     * since Spring's own may name classes.
     */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
                                                             HttpStatusCode status, WebRequest request) {
        HttpStatus known = HttpStatus.resolve(status.value());
        if (known == null || known.is5xxServerError()) {
            return answer(incident(e));
        }
        return answer(Problems.ofStatus(known, known.getReasonPhrase().toLowerCase(java.util.Locale.ROOT)), headers);
    }

    private static ResponseEntity<Object> answer(ProblemDetail problem) {
        return answer(problem, HttpHeaders.EMPTY);
    }

    private static ResponseEntity<Object> answer(ProblemDetail problem, HttpHeaders headers) {
        return ResponseEntity.status(problem.getStatus()).headers(headers)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    @ExceptionHandler({AccessDeniedException.class, AuthenticationException.class})
    void security(RuntimeException e) {
        // Spring Security's own handlers (the entry point and access-denied handler) answer these
        throw e;
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e) {
        if (JsonRefusals.tooLarge(e)) {
            return BodyLimitFilter.tooLarge();
        }
        return incident(e);
    }

    private static ProblemDetail incident(Exception e) {
        String incident = UUID.randomUUID().toString();
        // the class name only: messages of unexpected exceptions can carry SQL or credentials
        log.error("Unexpected failure, incident {}: {}", incident, e.getClass().getName());
        log.debug("Incident {} detail", incident, e);
        return Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                "something went wrong on our side; incident " + incident, Map.of("incident", incident));
    }
}
