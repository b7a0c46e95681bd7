package dev.gantry.server.plugins;

import dev.gantry.server.http.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/** A plugin zip on disk and what its {@code plugin.properties} says, read without loading any of its code. */
record PluginArchive(Path path, String id, String version, String requires, String description, String provider,
                     String sha256, long sizeBytes) {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    static PluginArchive read(Path zip) throws IOException {
        Properties properties = new Properties();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            ZipEntry entry = file.getEntry("plugin.properties");
            if (entry == null) {
                throw invalid("the zip has no plugin.properties at its root; see docs/plugins.md for the layout");
            }
            try (InputStream in = file.getInputStream(entry)) {
                properties.load(in);
            } catch (IllegalArgumentException e) {
                throw invalid("plugin.properties cannot be read: " + e.getMessage());
            }
        } catch (ZipException e) {
            throw new ApiException(400, "invalid_plugin", "the upload is not a zip file: " + e.getMessage());
        }
        String id = required(properties, "plugin.id");
        if (!ID.matcher(id).matches()) {
            throw invalid("plugin.id '" + id + "' must be lowercase letters, digits and '-', at most 63 characters");
        }
        String version = required(properties, "plugin.version");
        String requires = properties.getProperty("plugin.requires", "*").trim();
        return new PluginArchive(zip, id, version, requires.isEmpty() ? "*" : requires,
                properties.getProperty("plugin.description", "").trim(),
                properties.getProperty("plugin.provider", "").trim(), sha256(zip), java.nio.file.Files.size(zip));
    }

    private static String required(Properties properties, String key) {
        String value = properties.getProperty(key);
        if (value == null || value.isBlank()) {
            throw invalid("plugin.properties has no " + key);
        }
        return value.trim();
    }

    private static ApiException invalid(String message) {
        return new ApiException(422, "invalid_plugin", message, Map.of());
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[65536];
            for (int read; (read = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, read);
            }
            return "sha256:" + HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
