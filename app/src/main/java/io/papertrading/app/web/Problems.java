package io.papertrading.app.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

import java.io.IOException;
import java.util.Map;

/** Builds RFC 9457 problem details with the contract's stable {@code code} member. */
public final class Problems {

    private Problems() {
    }

    /** A problem with {@code status}, a short {@code title}, a human {@code detail} and a machine {@code code}. */
    public static ProblemDetail of(HttpStatus status, String code, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(status.getReasonPhrase());
        problem.setProperty("code", code);
        return problem;
    }

    /** A problem whose code is its status's name ({@code PAYLOAD_TOO_LARGE}), for refusals with no code of their own. */
    public static ProblemDetail ofStatus(HttpStatus status, String detail) {
        return of(status, status.name(), detail);
    }

    /** A problem with extra members (e.g. {@code currentVersion}, {@code errors}). */
    public static ProblemDetail of(HttpStatus status, String code, String detail, Map<String, Object> extra) {
        ProblemDetail problem = of(status, code, detail);
        extra.forEach(problem::setProperty);
        return problem;
    }

    /** Writes a problem straight to a servlet response, for filters that answer before any controller runs. */
    public static void write(HttpServletResponse response, ObjectMapper mapper, ProblemDetail problem) throws IOException {
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        mapper.writeValue(response.getOutputStream(), problem);
    }
}
