// Form state shared by every form: values, per-field errors (ours before sending, the API's
// 422 after), and the API's refusal message.
import { type ChangeEvent, type FormEvent, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../api/errors';
import { type Errors, hasErrors, type Rules, validate } from './validation';

export function useForm<T extends string>(initial: Record<T, string>, rules: (values: Record<T, string>) => Rules<T>) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Errors<T>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  function focusFirstInvalid() {
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  }

  /** Puts the API's 422 issues next to the fields this form has; returns the fields that got one. */
  function showAtFields(error: ApiError): string[] {
    const known = Object.fromEntries(Object.entries(error.fieldErrors).filter(([name]) => name in values)) as Errors<T>;
    if (!hasErrors(known)) return [];
    setErrors(known);
    focusFirstInvalid();
    return Object.keys(known);
  }

  return {
    values,
    errors,
    formError,
    formRef,
    submitting,
    setValues,
    reset(next: Record<T, string> = initial) {
      setValues(next);
      setErrors({});
      setFormError(null);
    },
    /** Props for a TextField bound to `field`. */
    field(field: T) {
      return {
        name: field,
        value: values[field],
        error: errors[field],
        onChange: (event: ChangeEvent<HTMLInputElement>) => {
          const value = event.target.value;
          setValues((current) => ({ ...current, [field]: value }));
          if (errors[field]) setErrors((current) => ({ ...current, [field]: undefined }));
        },
      };
    },
    /**
     * onSubmit handler: validates, then runs `send`; a refusal from the server shows its
     * `detail` (and 422 issues next to their fields when we have that field).
     */
    handleSubmit(send: (values: Record<T, string>) => Promise<unknown>) {
      return async (event: FormEvent) => {
        event.preventDefault();
        if (submitting) return; // a double click must not send twice
        const found = validate(values, rules(values));
        setErrors(found);
        setFormError(null);
        if (hasErrors(found)) {
          focusFirstInvalid();
          return;
        }
        setSubmitting(true);
        try {
          await send(values);
        } catch (error) {
          const shown = error instanceof ApiError ? showAtFields(error) : [];
          // Said once: an issue shown at its field is not repeated in the banner above the form.
          setFormError(error instanceof ApiError && shown.length > 0 ? error.messageWithout(shown) : errorMessage(error));
        } finally {
          setSubmitting(false);
        }
      };
    },
  };
}
