/** The password policy's rules, each ticked live as the password is typed. */
import { PASSWORD_RULES } from "../lib/shared/password_policy.ts";

/** Props of PasswordRules. */
export interface PasswordRulesProps {
  password: string;
}

/** A list of the policy rules with met/unmet marks. */
export default function PasswordRules({ password }: PasswordRulesProps) {
  return (
    <ul class="rules" aria-live="polite">
      {PASSWORD_RULES.map((rule) => {
        const ok = rule.test(password);
        return (
          <li key={rule.id} class={ok ? "ok" : "todo"} data-rule={rule.id}>
            {ok ? "✓" : "•"} {rule.label}
          </li>
        );
      })}
    </ul>
  );
}
