// The staff API on the page's own origin. Tokens live in this module's memory only: never Web
// Storage or cookies, so closing the tab signs the staff member out.

const BASE = "/staff/api";
let tokens = null; // {idToken, accessToken, refreshToken, expiresIn}
let refreshTimer = null;
let onSignedOut = () => {};

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function whenSignedOut(callback) {
  onSignedOut = callback;
}

export function signedIn() {
  return tokens !== null;
}

function keep(newTokens) {
  tokens = { ...tokens, ...newTokens };
  clearTimeout(refreshTimer);
  // Refresh a minute before the ID token expires (Cognito: ≤ 15 minutes).
  const seconds = Math.max(30, Number(tokens.expiresIn || 900) - 60);
  refreshTimer = setTimeout(() => refresh().catch(() => forget()), seconds * 1000);
}

function forget() {
  tokens = null;
  clearTimeout(refreshTimer);
  onSignedOut();
}

async function send(method, path, body, { auth = true } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (auth && tokens) headers.Authorization = `Bearer ${tokens.idToken}`;
  let response;
  try {
    response = await fetch(`${BASE}/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "サーバーに接続できません。ネットワークを確認して、もう一度お試しください。");
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = (data && data.message) || defaultMessage(response.status);
    throw new ApiError(response.status, message);
  }
  return data;
}

function defaultMessage(status) {
  if (status === 401) return "サインインの有効期限が切れました。もう一度サインインしてください。";
  if (status === 403) return "この操作を行う権限がありません。";
  if (status === 404) return "見つかりませんでした。";
  return `エラーが発生しました（${status}）。時間をおいてもう一度お試しください。`;
}

// An authorised call: on 401 the tokens are refreshed once, then the staff member signs in again.
export async function call(method, path, body) {
  try {
    return await send(method, path, body);
  } catch (error) {
    if (error.status !== 401 || !tokens) throw error;
    try {
      await refresh();
    } catch {
      forget();
      throw error;
    }
    return send(method, path, body);
  }
}

async function refresh() {
  const answer = await send("POST", "auth/refresh", { refreshToken: tokens.refreshToken }, { auth: false });
  keep(answer.tokens);
}

// Sign-in steps: each answers {tokens} (done) or {challenge, session} (another step).
export async function signIn(username, password) {
  return settle(await send("POST", "auth/sign-in", { username, password }, { auth: false }));
}

export async function answerMfa(username, session, code) {
  return settle(await send("POST", "auth/mfa", { username, session, code }, { auth: false }));
}

export async function startMfaSetup(session) {
  return send("POST", "auth/mfa-setup", { session }, { auth: false });
}

export async function verifyMfaSetup(username, session, code) {
  return settle(await send("POST", "auth/mfa-setup/verify", { username, session, code }, { auth: false }));
}

export async function setNewPassword(username, session, newPassword) {
  return settle(await send("POST", "auth/new-password", { username, session, newPassword }, { auth: false }));
}

function settle(answer) {
  if (answer && answer.tokens) keep(answer.tokens);
  return answer;
}

export async function signOut() {
  if (!tokens) return;
  try {
    // GlobalSignOut with the access token, and the refresh token revoked (Cognito token revocation).
    await send("POST", "auth/sign-out", { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
  } finally {
    forget();
  }
}
