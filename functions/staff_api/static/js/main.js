// The console's shell: sign-in steps, who is signed in, the menu a role may see, and the page router.

import * as api from "./api.js";
import { destroyCharts } from "./charts.js";
import { clear, errorText, h } from "./dom.js";
import { ROLE_LABELS } from "./labels.js";
import { renderAudit } from "./pages/audit.js";
import { renderBroadcasts } from "./pages/broadcasts.js";
import { renderExports } from "./pages/exports.js";
import { renderHome } from "./pages/home.js";
import { renderRichMenu } from "./pages/richmenu.js";
import qrcode from "../vendor/qrcode.mjs";

const $ = (id) => document.getElementById(id);
const signIn = { username: "", session: "" };
let me = null;

const PAGES = {
  home: { title: "ホーム", render: renderHome, allowed: () => true },
  broadcasts: {
    title: "配信",
    render: renderBroadcasts,
    allowed: (who) => who.can.broadcast || who.roles.includes("viewer"),
  },
  exports: { title: "申請・エクスポート", render: renderExports, allowed: (who) => who.can.export },
  richmenu: { title: "リッチメニュー", render: renderRichMenu, allowed: () => true },
  audit: { title: "監査ログ", render: renderAudit, allowed: (who) => who.can.audit },
};

function showStep(formId) {
  for (const id of ["sign-in-form", "mfa-form", "mfa-setup-form", "new-password-form"]) {
    $(id).hidden = id !== formId;
  }
  const first = $(formId).querySelector("input");
  if (first) first.focus();
}

function showSignInError(message) {
  const error = $("sign-in-error");
  error.textContent = message;
  error.hidden = !message;
}

async function afterStep(answer) {
  if (answer.tokens) {
    await enter();
    return;
  }
  signIn.session = answer.session;
  if (answer.challenge === "SOFTWARE_TOKEN_MFA") {
    showStep("mfa-form");
  } else if (answer.challenge === "MFA_SETUP") {
    const setup = await api.startMfaSetup(answer.session);
    signIn.session = setup.session;
    $("mfa-secret").textContent = setup.secretCode;
    $("mfa-uri").textContent = setup.otpauthUri;
    const qr = qrcode(0, "M");
    qr.addData(setup.otpauthUri);
    qr.make();
    $("mfa-qr").src = qr.createDataURL(4, 2);
    showStep("mfa-setup-form");
  } else if (answer.challenge === "NEW_PASSWORD_REQUIRED") {
    showStep("new-password-form");
  } else {
    showSignInError("この方法のサインインには対応していません。管理者に連絡してください。");
  }
}

function onSubmit(formId, step) {
  $(formId).addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.target.querySelector("button[type=submit]");
    button.disabled = true;
    showSignInError("");
    try {
      await afterStep(await step(new FormData(event.target)));
    } catch (error) {
      showSignInError(errorText(error));
    } finally {
      button.disabled = false;
    }
  });
}

onSubmit("sign-in-form", (form) => {
  signIn.username = String(form.get("username")).trim();
  return api.signIn(signIn.username, String(form.get("password")));
});
onSubmit("mfa-form", (form) => api.answerMfa(signIn.username, signIn.session, String(form.get("code")).trim()));
onSubmit("mfa-setup-form", (form) =>
  api.verifyMfaSetup(signIn.username, signIn.session, String(form.get("code")).trim()),
);
onSubmit("new-password-form", (form) =>
  api.setNewPassword(signIn.username, signIn.session, String(form.get("newPassword"))),
);

async function enter() {
  me = await api.call("GET", "me");
  $("password").value = "";
  $("sign-in").hidden = true;
  $("page").hidden = false;
  $("nav").hidden = false;
  $("who").hidden = false;
  $("who-name").textContent = me.username;
  $("who-roles").textContent = me.roles.map((role) => ROLE_LABELS[role] || role).join("・");
  for (const link of $("nav").querySelectorAll("a")) {
    const page = PAGES[link.dataset.page];
    link.hidden = !page.allowed(me);
  }
  if (!location.hash || location.hash === "#/") location.hash = "#/home";
  else route();
}

function leave() {
  me = null;
  destroyCharts();
  clear($("page")).hidden = true;
  $("nav").hidden = true;
  $("who").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-form").reset();
  showStep("sign-in-form");
}

api.whenSignedOut(leave);
$("sign-out").addEventListener("click", () => api.signOut().catch(() => {}));

async function route() {
  if (!me) return;
  const name = (location.hash.match(/^#\/([a-z]+)/) || [])[1] || "home";
  const page = PAGES[name] && PAGES[name].allowed(me) ? PAGES[name] : PAGES.home;
  for (const link of $("nav").querySelectorAll("a")) {
    if (PAGES[link.dataset.page] === page) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${page.title} | civicline 職員コンソール`;
  destroyCharts();
  const container = clear($("page"));
  const heading = h("h1", { tabindex: "-1" }, page.title);
  const body = h("div", { class: "page-body", "aria-busy": "true" });
  container.append(heading, body);
  heading.focus();
  try {
    await page.render(body, me);
  } catch (error) {
    body.replaceChildren(h("p", { class: "error", role: "alert" }, errorText(error)));
  } finally {
    body.setAttribute("aria-busy", "false");
    container.dataset.ready = name;
  }
}

window.addEventListener("hashchange", route);
showStep("sign-in-form");
