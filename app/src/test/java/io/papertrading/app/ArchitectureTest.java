package io.papertrading.app;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The module dependency rule: shared-kernel ← broker-adapter ← command-side; shared-kernel ← query-side;
 * command and query sides meet only through events in the event store.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.papertrading");
    }

    @Test
    void commandSideNeverUsesTheQuerySide() {
        noClasses().that().resideInAPackage("io.papertrading.command..")
                .should().dependOnClassesThat().resideInAPackage("io.papertrading.query..")
                .check(classes);
    }

    @Test
    void querySideNeverUsesTheCommandSideOrTheBrokers() {
        noClasses().that().resideInAPackage("io.papertrading.query..")
                .should().dependOnClassesThat().resideInAnyPackage("io.papertrading.command..", "io.papertrading.broker..")
                .check(classes);
    }

    @Test
    void sharedKernelKnowsNoSpringAndNoOtherModule() {
        noClasses().that().resideInAPackage("io.papertrading.kernel..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "io.papertrading.command..",
                        "io.papertrading.query..", "io.papertrading.broker..", "io.papertrading.app..")
                .check(classes);
    }

    @Test
    void brokerAdapterKnowsNeitherSideNorSpring() {
        noClasses().that().resideInAPackage("io.papertrading.broker..")
                .should().dependOnClassesThat().resideInAnyPackage("io.papertrading.command..", "io.papertrading.query..",
                        "io.papertrading.app..", "org.springframework..")
                .check(classes);
    }

    @Test
    void onlyTheAppAssemblesModules() {
        noClasses().that().resideOutsideOfPackage("io.papertrading.app..")
                .should().dependOnClassesThat().resideInAPackage("io.papertrading.app..")
                .check(classes);
    }
}
