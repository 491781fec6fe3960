// Freshly made recovery codes, shown once: the server keeps only their hashes, so this is the
// one moment to copy or download them.
import { downloadText, recoveryCodesFileName, recoveryCodesText } from '../lib/mfa';
import { toast } from '../lib/toast';
import { Button } from './ui';

export function RecoveryCodesPanel({
  codes,
  account,
  doneLabel = 'I have saved them',
  onDone,
}: {
  codes: readonly string[];
  account: string;
  doneLabel?: string;
  onDone: () => void;
}) {
  const site = window.location.host;

  async function copy() {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      toast.success('Recovery codes copied.');
    } catch {
      toast.error('Could not copy. Select the codes and copy them yourself.');
    }
  }

  function download() {
    downloadText(recoveryCodesFileName(site), recoveryCodesText({ codes, account, site, createdAt: new Date() }));
  }

  return (
    <section className="space-y-4" aria-labelledby="recovery-codes-title">
      <div
        role="status"
        className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-200"
      >
        <p id="recovery-codes-title" className="font-medium">
          Save your recovery codes now
        </p>
        <p className="mt-0.5">
          Each code signs you in once when you cannot use your authenticator app. They are shown only this once.
        </p>
      </div>
      <ol
        aria-label="Recovery codes"
        className="grid max-w-md grid-cols-1 gap-x-6 gap-y-1 rounded-md bg-slate-100 px-4 py-3 font-mono text-sm select-all min-[360px]:grid-cols-2 dark:bg-slate-800"
      >
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={() => void copy()}>
          Copy codes
        </Button>
        <Button variant="secondary" onClick={download}>
          Download .txt
        </Button>
        <Button onClick={onDone}>{doneLabel}</Button>
      </div>
    </section>
  );
}
