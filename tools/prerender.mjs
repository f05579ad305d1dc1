// The landing page a newcomer opens (/ on a device that has not joined) as
// static HTML in index.html, so it paints with the HTML and CSS (a few KB)
// instead of after the main wasm (~375 KB brotli: ~8 s at 400 kbit/s).
// Both languages are <template>s; an inline script clones the one the
// device is set to (localStorage `linli.locale`, as src/i18n.rs keeps it)
// unless the path is not / or the app has marked the device joined
// (`linli.joined`, src/landing.rs). The app removes it as it mounts in its
// place (src/main.rs).
//
// The markup mirrors what App, AppHeader, SyncBadge, MainNav and Home paint
// for a device that has not joined; tests/e2e/landing.spec.mjs checks that
// the two read the same and that nothing moves when the app takes over.
import { readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";

/// A locale's table as build.rs reads it: <tag>.json and <tag>/*.json.
function table(source, tag) {
  const dir = join(source, "locales");
  const t = JSON.parse(readFileSync(join(dir, `${tag}.json`), "utf8"));
  const parts = join(dir, tag);
  if (existsSync(parts)) {
    for (const f of readdirSync(parts).filter((n) => n.endsWith(".json")).sort()) {
      Object.assign(t, JSON.parse(readFileSync(join(parts, f), "utf8")));
    }
  }
  return t;
}

const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function landing(t, other) {
  const s = (key) => {
    if (typeof t[key] !== "string") throw new Error(`prerender.mjs: no text for ${key}`);
    return esc(t[key]);
  };
  return (
    `<div class="app" id="landing">` +
    `<a class="skip-link" href="#main">${s("app.skip")}</a>` +
    `<header class="app-header"><div class="brand"><a href="/" aria-current="page" class="brand-name">${s("app.name")}</a>` +
    `<span class="tagline">${s("app.tagline")}</span></div>` +
    `<a href="/join" class="net-status offline">${s("sync.not_joined")}</a>` +
    `<button class="lang-switch"><span class="visually-hidden">${s("lang.switch.label")}</span>` +
    `<span lang="${other}">${s("lang.switch.text")}</span></button></header>` +
    `<div class="notices"></div>` +
    `<div class="app-body"><nav class="bottom-nav" aria-label="${s("nav.label")}"><ul>` +
    `<li><a href="/" aria-current="page">${s("nav.home")}</a></li>` +
    `<li><a href="/settings">${s("nav.settings")}</a></li></ul></nav>` +
    `<main id="main" tabindex="-1"><h1>${s("home.title")}</h1><p>${s("home.intro")}</p>` +
    `<section class="card join-cta" aria-labelledby="home-join"><h2 id="home-join">${s("home.join_title")}</h2>` +
    `<p>${s("home.not_joined")}</p><a href="/join" class="button">${s("home.join_cta")}</a></section>` +
    `<h2>${s("home.steps.title")}</h2><ol class="steps">` +
    ["list", "dispatch", "take", "evaluate"].map((step) => `<li>${s(`home.step.${step}`)}</li>`).join("") +
    `</ol></main></div></div>`
  );
}

// Picks the template, and switches language in place until the app is here
// (the app's own switch does the same once it runs).
const SCRIPT =
  `(function(){var d=document,s;try{s=localStorage}catch(e){return}` +
  `if(location.pathname!=="/"||s.getItem("linli.joined"))return;` +
  `function show(tag){var old=d.getElementById("landing");if(old)old.remove();` +
  `d.body.appendChild(d.getElementById("landing-"+tag).content.cloneNode(true));d.documentElement.lang=tag;` +
  `d.querySelector("#landing .lang-switch").addEventListener("click",function(){` +
  `var next=tag==="en"?"zh-CN":"en";try{s.setItem("linli.locale",next)}catch(e){}show(next)})}` +
  `show(s.getItem("linli.locale")==="en"?"en":"zh-CN")})()`;

/// Writes the landing page's templates and script at the start of the
/// staged index.html's body.
export function prerender({ source, staging }) {
  const htmlPath = join(staging, "index.html");
  const html = readFileSync(htmlPath, "utf8");
  const body = /<body[^>]*>/i.exec(html);
  if (!body) throw new Error("prerender.mjs: index.html has no <body>");
  const tags =
    `<template id="landing-zh-CN">${landing(table(source, "zh-CN"), "en")}</template>` +
    `<template id="landing-en">${landing(table(source, "en"), "zh-CN")}</template>` +
    `<script>${SCRIPT}</script>`;
  const at = body.index + body[0].length;
  writeFileSync(htmlPath, html.slice(0, at) + tags + html.slice(at));
}
