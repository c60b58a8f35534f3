/** The admin password policy, checked on the server and shown live in the UI. */

/** One rule of the policy. */
export interface PasswordRule {
  id: string;
  label: string;
  test: (password: string) => boolean;
}

/** Every rule a password must pass. */
export const PASSWORD_RULES: PasswordRule[] = [
  { id: "length", label: "at least 12 characters", test: (p) => [...p].length >= 12 },
  { id: "upper", label: "an upper-case letter", test: (p) => /\p{Lu}/u.test(p) },
  { id: "lower", label: "a lower-case letter", test: (p) => /\p{Ll}/u.test(p) },
  { id: "digit", label: "a digit", test: (p) => /\p{Nd}/u.test(p) },
  {
    id: "special",
    label: "a special character",
    test: (p) => /[^\p{L}\p{Nd}]/u.test(p),
  },
];

/** Maximum length accepted (argon2 input is bounded to keep hashing cheap to refuse). */
export const PASSWORD_MAX_LENGTH = 256;

/** The labels of the rules `password` fails; empty when it meets the policy. */
export function passwordProblems(password: string): string[] {
  const failed = PASSWORD_RULES.filter((r) => !r.test(password)).map((r) => r.label);
  if (password.length > PASSWORD_MAX_LENGTH) {
    failed.push(`at most ${PASSWORD_MAX_LENGTH} characters`);
  }
  return failed;
}
