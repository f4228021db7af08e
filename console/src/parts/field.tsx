import type { InputHTMLAttributes, PartialInputHTMLAttributes, TextareaHTMLAttributes } from 'preact';

type InputProps = Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'type'> & { type?: 'text' | 'search' | 'number' | 'date' | 'email' | 'tel' | 'datetime-local' };

/** One labelled input with the server's message for its path, announced to screen readers. */
export function Field({ id, label, error, ...input }: { id: string; label: string; error?: string | undefined } & InputProps) {
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      <input id={id} name={id} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined} {...input as InputHTMLAttributes} />
      {error && <span class="field-error" id={`${id}-error`}>{error}</span>}
    </div>
  );
}

export function TextArea({ id, label, error, ...input }: { id: string; label: string; error?: string | undefined } & TextareaHTMLAttributes) {
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      <textarea id={id} name={id} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined} {...input} />
      {error && <span class="field-error" id={`${id}-error`}>{error}</span>}
    </div>
  );
}

/** Field errors by path, from a 400 problem's `errors` (details.contact.phone -> contact.phone). */
export const errorsByField = (errors: { path: string; message: string }[]) =>
  Object.fromEntries(errors.map((e) => [e.path.replace(/^details\./, ''), e.message]));
