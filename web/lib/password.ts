import { ApiError, errorMessage } from "@/lib/api/errors";

/** The server's rule (`Password` in auth/schemas.py), checked here first to answer at once. */
export const MIN_PASSWORD_LENGTH = 12;

export interface NewPasswordErrors {
  password?: string;
  confirm?: string;
}

export function checkNewPassword(password: string, confirm: string): NewPasswordErrors {
  const errors: NewPasswordErrors = {};
  if (password.length < MIN_PASSWORD_LENGTH) {
    errors.password = `Too short: use at least ${MIN_PASSWORD_LENGTH} characters.`;
  }
  if (confirm !== password) errors.confirm = "The two passwords differ.";
  return errors;
}

export interface PasswordServerErrors {
  current?: string;
  password?: string;
  token?: string;
  form?: string;
}

/** Put a failed change or reset next to the field it is about. */
export function passwordServerErrors(error: unknown): PasswordServerErrors {
  if (!(error instanceof ApiError)) return { form: errorMessage(error) };
  if (error.code === "WrongCurrentPassword") {
    return { current: "This is not your current password." };
  }
  if (error.code === "InvalidResetToken") {
    return {
      token:
        "This reset link is invalid, already used or expired. Ask an admin of your organization for a new one.",
    };
  }
  if (error.status === 422 && /new_password/.test(error.message)) {
    const detail = error.message.replace(/^.*?new_password:\s*/, "").split(";")[0] ?? "";
    const least = /at least (\d+) characters/i.exec(detail);
    return { password: least ? `Too short: use at least ${least[1]} characters.` : detail };
  }
  return { form: errorMessage(error) };
}
