package dev.gantry.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class TestTable {
    @Test
    void columnsAreAlignedUnderCapitalHeadersWithoutTrailingSpaces() {
        String text = new Table("id", "status", "note")
                .row("b-1", "passed", "short")
                .row("build-22", "failed", null)
                .render();
        assertThat(text).isEqualTo("""
                ID        STATUS  NOTE
                b-1       passed  short
                build-22  failed  -
                """);
    }

    @Test
    void aCellIsAlwaysOneLineAndBlankShowsAsADash() {
        String text = new Table("a", "b").row("line one\nline two\tend", "  ").render();
        assertThat(text).isEqualTo("""
                A                      B
                line one line two end  -
                """);
        assertThat(text.lines()).hasSize(2);
    }

    @Test
    void aTableInsideASummaryHasNoHeaderAndKeepsIndentedRows() {
        String text = Table.withoutHeaders(2).row("build", "passed").row("  compile", "passed").row("  unit", "failed (exit 3)").render();
        assertThat(text).isEqualTo("""
                build      passed
                  compile  passed
                  unit     failed (exit 3)
                """);
    }

    @Test
    void widthsCountCharactersNotBytes() {
        String text = new Table("name", "x").row("größe", "1").row("ab", "2").render();
        assertThat(text).isEqualTo("""
                NAME   X
                größe  1
                ab     2
                """);
    }

    @Test
    void detailsAlignValuesLeaveOutAbsentOnesAndContinueLongOnesUnderneath() {
        String text = new Details()
                .add("deploy", "d-1")
                .add("reason", null)
                .add("status", "in_progress")
                .add("weights", "box: r-1 90%, r-2 10%\nbox2: r-1 100%")
                .render();
        assertThat(text).isEqualTo("""
                deploy:  d-1
                status:  in_progress
                weights: box: r-1 90%, r-2 10%
                         box2: r-1 100%
                """);
    }

    @Test
    void valuesAreShortenedForPeople() {
        assertThat(Format.shortSha("sha256:" + "ab".repeat(32))).isEqualTo("sha256:abababababab");
        assertThat(Format.shortSha("0123456789abcdef0123")).isEqualTo("0123456789ab");
        assertThat(Format.time("2026-11-25T10:00:03.123456Z")).isEqualTo("2026-11-25T10:00:03Z");
        assertThat(Format.seconds(Json.MAPPER.getNodeFactory().numberNode(4.24))).isEqualTo("4.2s");
        assertThat(Format.seconds(Json.MAPPER.getNodeFactory().numberNode(185))).isEqualTo("3m 05s");
        assertThat(Format.percent(new BigDecimal("25.00"))).isEqualTo("25%");
        assertThat(Format.percent(new BigDecimal("1E+2"))).isEqualTo("100%");
    }

    @Test
    void aDeployIsShownWithItsStepCountedFromOne() throws Exception {
        JsonNode deploy = Json.MAPPER.readTree("""
                {"deploy_id": "d-1", "status": "in_progress", "service": "hello", "environment": "production",
                 "kind": "deploy", "release": {"release_id": "r-2", "artifact_sha": "sha256:%s"},
                 "step": {"index": 2, "count": 13, "kind": "hold", "description": "hold 10%% for 2s"},
                 "weights": {"box": {"r-1": 90, "r-2": 10}}, "reason": "ignored while in progress",
                 "initiated_by": "admin", "created_at": "2026-11-25T10:00:00Z", "deploys": []}
                """.formatted("cd".repeat(32)));
        assertThat(DeployView.progress(deploy)).isEqualTo("step 3/13: hold 10% for 2s (in_progress)");
        assertThat(DeployView.details(deploy)).contains("step:        3/13: hold 10% for 2s\n")
                .contains("weights:     box: r-1 90%, r-2 10%\n");

        JsonNode list = Json.MAPPER.createObjectNode().set("deploys", Json.MAPPER.createArrayNode().add(deploy));
        assertThat(DeployView.table(list).render()).isEqualTo("""
                ID   SERVICE  ENV         STATUS       KIND    STEP  ARTIFACT             BY     CREATED
                d-1  hello    production  in_progress  deploy  3/13  sha256:cdcdcdcdcdcd  admin  2026-11-25T10:00:00Z
                """);
    }

    @Test
    void aFlagShowsItsRolloutAsTheLastRulesRollout() throws Exception {
        JsonNode flag = Json.MAPPER.readTree("""
                {"key": "new-checkout", "type": "release", "version": 3, "owner": "payments", "stale": false,
                 "environments": {
                   "production": {"enabled": true, "rules": [
                     {"description": "target users", "constraints": [{"attribute": "user_id", "operator": "in", "values": ["u-1", "u-2"]}],
                      "rollout": 100, "serve": {"variant": "on"}},
                     {"description": "gradual rollout", "constraints": [], "rollout": 12.5, "serve": {"variant": "on"}}]},
                   "staging": {"enabled": false, "rules": []}}}
                """);
        JsonNode list = Json.MAPPER.createObjectNode().set("flags", Json.MAPPER.createArrayNode().add(flag));
        assertThat(FlagView.table(list).render()).isEqualTo("""
                KEY           TYPE     VERSION  OWNER     ENVIRONMENTS
                new-checkout  release  3        payments  production: on 12.5%, staging: off
                """);
        assertThat(FlagView.details(flag)).contains("""
                env production: on 12.5%, 2 rules
                                1. target users: user_id in u-1, u-2 -> on
                                2. gradual rollout: 12.5% of users -> on
                """);
    }
}
