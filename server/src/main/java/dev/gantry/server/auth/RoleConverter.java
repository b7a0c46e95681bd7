package dev.gantry.server.auth;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Roles are stored as their lowercase ids, as the API writes them. */
@Converter
class RoleConverter implements AttributeConverter<Role, String> {
    @Override
    public String convertToDatabaseColumn(Role role) {
        return role == null ? null : role.id();
    }

    @Override
    public Role convertToEntityAttribute(String id) {
        return id == null ? null : Role.fromId(id);
    }
}
