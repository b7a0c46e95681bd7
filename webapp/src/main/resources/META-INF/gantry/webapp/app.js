"use strict";

const $ = (id) => document.getElementById(id);

async function api(path) {
  const token = sessionStorage.getItem("gantry.token");
  const response = await fetch(path, { headers: token ? { Authorization: "Bearer " + token } : {} });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.message || response.status + " " + response.statusText);
  }
  return body;
}

async function showStatus() {
  const badge = $("status");
  try {
    const response = await fetch("/readyz");
    const body = await response.json();
    badge.textContent = body.status === "ready" ? "ready" : "starting (waiting for " + body.waiting_for + ")";
    badge.className = "badge " + (body.status === "ready" ? "ready" : "");
  } catch (e) {
    badge.textContent = "unreachable";
    badge.className = "badge down";
  }
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

async function showSignedIn() {
  const me = await api("/api/users/me");
  $("user").textContent = me.name;
  $("role").textContent = me.role;
  const rows = $("plugins");
  rows.replaceChildren();
  const { plugins } = await api("/api/plugins");
  for (const plugin of plugins) {
    const row = document.createElement("tr");
    const extensions = plugin.extensions.map((e) => e.extension_points.join(", ") + ": " + e.class_name).join("\n");
    row.append(cell(plugin.id), cell(plugin.version), cell(plugin.state + (plugin.problem ? " — " + plugin.problem : "")),
      cell(extensions || "—"));
    rows.append(row);
  }
  if (plugins.length === 0) {
    const row = document.createElement("tr");
    const td = cell("No plugins installed.");
    td.colSpan = 4;
    row.append(td);
    rows.append(row);
  }
  $("sign-in").hidden = true;
  $("signed-in").hidden = false;
}

async function signIn(event) {
  event.preventDefault();
  $("error").textContent = "";
  sessionStorage.setItem("gantry.token", $("token").value.trim());
  try {
    await showSignedIn();
  } catch (e) {
    sessionStorage.removeItem("gantry.token");
    $("error").textContent = e.message;
  }
}

$("token-form").addEventListener("submit", signIn);
$("sign-out").addEventListener("click", () => {
  sessionStorage.removeItem("gantry.token");
  $("signed-in").hidden = true;
  $("sign-in").hidden = false;
});
showStatus();
if (sessionStorage.getItem("gantry.token")) {
  showSignedIn().catch(() => sessionStorage.removeItem("gantry.token"));
}
