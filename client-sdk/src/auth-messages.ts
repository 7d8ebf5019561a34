/**
 * Words for the validation codes `@colyseus/auth` 0.18 answers with (`[body.password] password_too_short`).
 * Its minimum password length is 6 (the demo's startup test checks this sentence against a real server).
 */
const WORDS: Readonly<Record<string, string>> = {
  email_malformed: "the email address is not valid",
  email_already_in_use: "an account with this email address exists already",
  email_not_found: "no account has this email address",
  password_too_short: "the password must have at least 6 characters",
};

/**
 * A server's refusal in words a page can show: each `[body.field] code` of a validation error
 * becomes a sentence (unknown codes are spelled out: `field: some code`); other messages are kept.
 */
export function readableAuthMessage(message: string): string {
  const parts = message.split(";").map((part) => part.trim());
  if (!parts.every((part) => /^\[[^\]]+\] [a-z_]+$/.test(part))) return message;
  const sentences = parts.map((part) => {
    const [, field, code] = /^\[(?:body\.)?([^\]]+)\] ([a-z_]+)$/.exec(part) ?? [];
    return WORDS[code ?? ""] ?? `${field}: ${(code ?? "").replaceAll("_", " ")}`;
  });
  const text = sentences.join("; ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
