package dev.gantry.plugins.scm.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class TestRemoteUrl {
    @Test
    void tellsHowARepositoryIsReached() throws IOException {
        assertThat(RemoteUrl.parse("https://github.com/acme/shop.git").kind()).isEqualTo(RemoteUrl.Kind.HTTP);
        assertThat(RemoteUrl.parse("HTTP://gitea.local:3000/acme/shop.git").kind()).isEqualTo(RemoteUrl.Kind.HTTP);
        assertThat(RemoteUrl.parse("ssh://git@gitlab.com/acme/shop.git").kind()).isEqualTo(RemoteUrl.Kind.SSH);
        assertThat(RemoteUrl.parse("git@github.com:acme/shop.git").kind()).isEqualTo(RemoteUrl.Kind.SSH);
        assertThat(RemoteUrl.parse("/srv/git/shop.git").kind()).isEqualTo(RemoteUrl.Kind.LOCAL);
        assertThat(RemoteUrl.parse("file:///srv/git/shop.git").kind()).isEqualTo(RemoteUrl.Kind.LOCAL);
        assertThat(RemoteUrl.parse("git://git.example.com/shop.git").kind()).isEqualTo(RemoteUrl.Kind.OTHER);
    }

    @Test
    void showsAUrlWithoutItsCredentials() throws IOException {
        assertThat(RemoteUrl.parse("https://x-access-token:ghs_secret@github.com/acme/shop.git").display())
                .isEqualTo("https://github.com/acme/shop.git");
        assertThat(RemoteUrl.parse("https://ghp_tokenAsUser@github.com/acme/shop.git").display())
                .isEqualTo("https://github.com/acme/shop.git");
        assertThat(RemoteUrl.parse("ssh://git:pw@gitlab.com:2222/acme/shop.git").display())
                .isEqualTo("ssh://gitlab.com:2222/acme/shop.git");
        assertThat(RemoteUrl.parse("git@github.com:acme/shop.git").display()).isEqualTo("git@github.com:acme/shop.git");
        assertThat(RemoteUrl.parse("/srv/git/shop.git").display()).isEqualTo("/srv/git/shop.git");
    }

    @Test
    void tellsWhetherTheUrlCarriesASecret() throws IOException {
        assertThat(RemoteUrl.parse("https://ghp_tokenAsUser@github.com/acme/shop.git").hasCredentials()).isTrue();
        assertThat(RemoteUrl.parse("https://bot:p4ss@github.com/acme/shop.git").hasCredentials()).isTrue();
        assertThat(RemoteUrl.parse("https://github.com/acme/shop.git").hasCredentials()).isFalse();
        assertThat(RemoteUrl.parse("git@github.com:acme/shop.git").hasCredentials()).isFalse();
        assertThat(RemoteUrl.parse("ssh://git@gitlab.com/acme/shop.git").hasCredentials()).isFalse();
        assertThat(RemoteUrl.parse("ssh://git:pw@gitlab.com/acme/shop.git").hasCredentials()).isTrue();
    }

    @Test
    void cleansCredentialsOutOfMessagesThatRepeatTheUrl() throws IOException {
        RemoteUrl url = RemoteUrl.parse("https://bot:p4ss@git.example.com/acme/shop.git");

        assertThat(url.clean("https://bot:p4ss@git.example.com/acme/shop.git: not authorized"))
                .isEqualTo("https://git.example.com/acme/shop.git: not authorized");
        assertThat(url.clean("https://bot@git.example.com/acme/shop.git: 401")).isEqualTo("https://git.example.com/acme/shop.git: 401");
        assertThat(url.clean("password p4ss refused")).isEqualTo("password *** refused");
    }

    @Test
    void refusesWhatIsNotAUrlWithoutRepeatingCredentials() {
        assertThatThrownBy(() -> RemoteUrl.parse("  ")).isInstanceOf(IOException.class).hasMessage("the repository URL is empty");
        assertThatThrownBy(() -> RemoteUrl.parse("https://bot:p4ss@exa mple.com/%zz"))
                .isInstanceOf(IOException.class)
                .hasMessageNotContaining("p4ss");
    }
}
