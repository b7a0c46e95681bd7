package dev.gantry.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.server.http.ApiException;
import org.junit.jupiter.api.Test;

class TestPasswords {
    @Test
    void verifiesHashesMadeByTheReferenceImplementation() {
        // made by the argon2 command of the reference implementation (Debian's argon2 package):
        // echo -n "correct horse battery staple" | argon2 gantrysaltsalt16 -id -t 2 -k 19456 -p 1 -l 32 -e
        String ours = "$argon2id$v=19$m=19456,t=2,p=1$Z2FudHJ5c2FsdHNhbHQxNg$DPgj/lnoNBLNRe5Tt/mv8vqdonrDAUos6g/HDye53gU";
        assertThat(Passwords.verify("correct horse battery staple", ours)).isTrue();
        assertThat(Passwords.verify("correct horse battery stapler", ours)).isFalse();
        assertThat(Passwords.needsRehash(ours)).isFalse();
        // other parameters (the reference's README example, as argon2id) still verify, and ask to be upgraded
        String older = "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU";
        assertThat(Passwords.verify("password", older)).isTrue();
        assertThat(Passwords.needsRehash(older)).isTrue();
    }

    @Test
    void hashesAreSaltedPhcStringsOfTodaysParameters() {
        String a = Passwords.hash("a long enough password");
        String b = Passwords.hash("a long enough password");
        assertThat(a).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").isNotEqualTo(b);
        assertThat(Passwords.verify("a long enough password", a)).isTrue();
        assertThat(Passwords.verify("a long enough password", b)).isTrue();
        assertThat(Passwords.verify("A long enough password", a)).isFalse();
    }

    @Test
    void composedAndDecomposedAccentsAreTheSamePassword() {
        String hash = Passwords.hash("caf\u00e9 au lait, s'il vous pla\u00eet");
        assertThat(Passwords.verify("cafe\u0301 au lait, s'il vous plai\u0302t", hash)).isTrue();
    }

    @Test
    void malformedHashesNeverMatch() {
        assertThat(Passwords.verify("x", null)).isFalse();
        assertThat(Passwords.verify("x", "")).isFalse();
        assertThat(Passwords.verify("x", "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG")).isFalse();
        assertThat(Passwords.verify("x", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")).isFalse();
        assertThat(Passwords.verifyNothing("anything")).isFalse();
    }

    @Test
    void newPasswordsNeedALengthAPersonCanMeet() {
        PasswordService.validate("ten chars!", "alice");
        PasswordService.validate("x".repeat(200), "alice");
        assertThatThrownBy(() -> PasswordService.validate("short", "alice"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.error()).isEqualTo("invalid_password");
                    assertThat(e.getMessage()).contains("at least 10 characters (this one has 5)");
                });
        assertThatThrownBy(() -> PasswordService.validate("x".repeat(201), "alice"))
                .hasMessageContaining("at most 200 characters");
        assertThatThrownBy(() -> PasswordService.validate("          ", "alice")).hasMessageContaining("at least 10");
        assertThatThrownBy(() -> PasswordService.validate("long.user-name", "long.user-name"))
                .hasMessageContaining("must not be the user name");
        // characters, not UTF-16 units: ten emoji are ten characters
        PasswordService.validate("\uD83D\uDD12".repeat(10), "alice");
        assertThatThrownBy(() -> PasswordService.validate("\uD83D\uDD12".repeat(5), "alice")).hasMessageContaining("has 5");
    }
}
