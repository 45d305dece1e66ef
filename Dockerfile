# The engine on a Java 17 runtime, for docker-compose.yml. It packages the jar the README's build makes
# (`./mvnw -q -DskipTests package`) instead of building it inside the image: a build stage would download
# every dependency again, and a machine that reaches no image registry has no Maven image to build in.
# BASE_IMAGE is any Java 17 runtime with bash and useradd; docker/build-local-images.sh makes one from Debian's
# packages (localhost/paper-jre:17).
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}
RUN useradd --system --create-home paper
COPY docker/app-healthcheck.sh /usr/local/bin/paper-healthcheck
# The README's launcher: the jar extracted and started with a class-data-sharing archive (README, "Startup"). The
# container's first start records the archive when it stops (compose gives it the time: stop_grace_period), in the
# container's own layer, so a restart of the same container starts in about half the time.
COPY paper-trading /usr/local/bin/paper-trading
USER paper
WORKDIR /home/paper
COPY app/target/paper-trading.jar app.jar
ENV AXONIQ_UPDATE_CHECKER_DISABLED=true PAPER_JAR=/home/paper/app.jar
# A bounded heap: without one the JVM takes a quarter of the host's memory and grows into it (861 MB resident
# under the benchmark's load); with these, 394 MB idle and 632 MB at most, at the same throughput (BENCHMARKS.md)
ENV JAVA_OPTS="-Xmx384m -XX:MaxMetaspaceSize=256m"
EXPOSE 8080
ENTRYPOINT ["paper-trading"]
