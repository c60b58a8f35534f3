/** Sign-in, first-run setup and password-change forms (one island, three modes). */
import { useSignal } from "@preact/signals";
import { z } from "zod";
import { passwordProblems } from "../lib/shared/password_policy.ts";
import { api, ApiError } from "./_api.ts";
import PasswordRules from "./PasswordRules.tsx";

/** Props of AuthForm. */
export const AuthFormPropsSchema = z.object({
  mode: z.enum(["login", "setup", "change"]),
  /** An error from a form post made without JavaScript. */
  error: z.string().optional(),
});
/** Props of AuthForm. */
export type AuthFormProps = z.infer<typeof AuthFormPropsSchema>;

/** The form for `mode`; on success it navigates to the dashboard. */
export default function AuthForm({ mode, error: initialError }: AuthFormProps) {
  const password = useSignal("");
  const confirm = useSignal("");
  const current = useSignal("");
  const remember = useSignal(false);
  const error = useSignal(initialError ?? "");
  const busy = useSignal(false);
  const needsPolicy = mode !== "login";

  const submit = async (e: Event) => {
    e.preventDefault();
    error.value = "";
    if (needsPolicy && password.value !== confirm.value) {
      error.value = "The passwords do not match";
      return;
    }
    busy.value = true;
    try {
      if (mode === "setup") {
        await api("POST", "/api/auth/setup", { password: password.value });
        await api("POST", "/api/auth/login", { password: password.value });
      } else if (mode === "login") {
        await api("POST", "/api/auth/login", {
          password: password.value,
          remember: remember.value,
        });
      } else {
        await api("POST", "/api/auth/password", { current: current.value, new: password.value });
      }
      location.assign("/");
    } catch (err) {
      error.value = err instanceof ApiError ? err.message : "Bosun did not answer";
    } finally {
      busy.value = false;
    }
  };

  const weak = needsPolicy && passwordProblems(password.value).length > 0;
  return (
    <form class="auth-form" onSubmit={submit} method="post">
      {mode === "change" && (
        <label>
          Current password
          <input
            type="password"
            name="current"
            autocomplete="current-password"
            required
            value={current.value}
            onInput={(e) => current.value = e.currentTarget.value}
          />
        </label>
      )}
      <label>
        {mode === "change" ? "New password" : "Password"}
        <input
          type="password"
          name="password"
          autocomplete={mode === "login" ? "current-password" : "new-password"}
          required
          value={password.value}
          onInput={(e) => password.value = e.currentTarget.value}
        />
      </label>
      {needsPolicy && <PasswordRules password={password.value} />}
      {needsPolicy && (
        <label>
          Repeat the password
          <input
            type="password"
            name="confirm"
            autocomplete="new-password"
            required
            value={confirm.value}
            onInput={(e) => confirm.value = e.currentTarget.value}
          />
        </label>
      )}
      {mode === "login" && (
        <label class="inline">
          <input
            type="checkbox"
            name="remember"
            checked={remember.value}
            onChange={(e) => remember.value = e.currentTarget.checked}
          />{" "}
          Remember me for 7 days
        </label>
      )}
      {error.value && <p class="error" role="alert">{error.value}</p>}
      <button type="submit" disabled={busy.value || weak}>
        {mode === "login"
          ? "Sign in"
          : mode === "setup"
          ? "Create admin password"
          : "Change password"}
      </button>
    </form>
  );
}

/** Props validation used by the island loader. */
export const propsSchema = AuthFormPropsSchema;
