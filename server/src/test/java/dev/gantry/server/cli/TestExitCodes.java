package dev.gantry.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TestExitCodes {
    @Test
    void httpStatusesMapToTheDocumentedExitCodes() {
        assertThat(ExitCodes.forHttpStatus(401)).isEqualTo(3);
        assertThat(ExitCodes.forHttpStatus(403)).isEqualTo(3);
        assertThat(ExitCodes.forHttpStatus(404)).isEqualTo(4);
        assertThat(ExitCodes.forHttpStatus(409)).isEqualTo(5);
        assertThat(ExitCodes.forHttpStatus(412)).isEqualTo(5);
        assertThat(ExitCodes.forHttpStatus(422)).isEqualTo(5);
        assertThat(ExitCodes.forHttpStatus(428)).isEqualTo(5);
        assertThat(ExitCodes.forHttpStatus(500)).isEqualTo(6);
        assertThat(ExitCodes.forHttpStatus(502)).isEqualTo(6);
        assertThat(ExitCodes.forHttpStatus(503)).isEqualTo(6);
        // the server refused the arguments: as a usage error
        assertThat(ExitCodes.forHttpStatus(400)).isEqualTo(2);
        assertThat(ExitCodes.forHttpStatus(415)).isEqualTo(2);
    }

    @Test
    void anApiErrorIsOneLineWithTheServersMessageAndCode() {
        ApiError error = ApiError.of(409, """
                {"error": "deploy_in_progress", "message": "deploy d-1 of hello to production is in progress;\\nwait, or pass queue",
                 "details": {"deploy_id": "d-1"}}""");
        assertThat(error.exitCode()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(error.error()).isEqualTo("deploy_in_progress");
        assertThat(error.details().path("deploy_id").asText()).isEqualTo("d-1");
        assertThat(error.getMessage())
                .isEqualTo("deploy d-1 of hello to production is in progress; wait, or pass queue (deploy_in_progress, HTTP 409)");
    }

    @Test
    void anUnauthenticatedAnswerSaysWhereTheTokenComesFrom() {
        ApiError error = ApiError.of(401, "{\"error\":\"unauthenticated\",\"message\":\"the token is unknown or revoked\"}");
        assertThat(error.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(error.getMessage()).startsWith("the token is unknown or revoked (unauthenticated, HTTP 401); check the API token (--token");
    }

    @Test
    void anAnswerThatIsNotTheApisErrorIsQuoted() {
        ApiError proxy = ApiError.of(502, "<html>\n<body>Bad Gateway</body>\n</html>");
        assertThat(proxy.exitCode()).isEqualTo(ExitCodes.SERVER);
        assertThat(proxy.error()).isNull();
        assertThat(proxy.getMessage()).isEqualTo("the server answered HTTP 502: <html> <body>Bad Gateway</body> </html>");
        assertThat(ApiError.of(404, "").getMessage()).isEqualTo("the server answered HTTP 404: no explanation in the answer");
        assertThat(ApiError.of(500, "x".repeat(1000)).getMessage()).hasSizeLessThan(400);
    }
}
