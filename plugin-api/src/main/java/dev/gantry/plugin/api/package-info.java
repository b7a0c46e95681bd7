/**
 * The Gantry plugin API: extension points a plugin implements and the services {@link dev.gantry.plugin.api.PluginContext}
 * gives it. Interfaces over records; no types of the server's libraries appear here. Interfaces grow only by new
 * default methods. Extension points marked {@link dev.gantry.plugin.api.Experimental} may still change.
 */
package dev.gantry.plugin.api;
