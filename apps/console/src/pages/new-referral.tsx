import { useState, type FormEvent } from 'react';
import type { fhir4 } from '../../../../contracts/src/fhir';
import { REFERRAL_PRIORITIES } from '../../../../contracts/src/referrals/referral';
import { type I18nText, type Later, useI18n } from '../i18n/i18n';
import { ErrorNotice, Info } from '../lib/notice';
import { useSignedIn } from '../lib/session';

const RESIDENT_ID_SYSTEM = 'urn:oid:2.16.156.10011.1.3';
/** The hub's institution NamingSystem (INSTITUTION_SYSTEM in libs/referrals, which
 * the browser bundle cannot import: that library's index reaches Node modules). */
const INSTITUTION_SYSTEM = 'https://fhir.yilian.cn/NamingSystem/institution';
const org = (code: string): fhir4.Reference => ({
  type: 'Organization',
  identifier: { system: INSTITUTION_SYSTEM, value: code },
});

/** The referral as a FHIR transaction Bundle (Patient, ServiceRequest, Task), sent to the
 * intake's /fhir like any HIS would: one door for every sender. */
export function referralBundle(f: {
  sender: string;
  number: string;
  receiver: string;
  residentId: string;
  name: string;
  department: string;
  diagnosis: string;
  priority: string;
}): fhir4.Bundle {
  const patientUrl = `urn:uuid:${crypto.randomUUID()}`;
  const requestUrl = `urn:uuid:${crypto.randomUUID()}`;
  const request: fhir4.ServiceRequest = {
    resourceType: 'ServiceRequest',
    identifier: [{ system: `urn:yilian:institution:${f.sender}:referral`, value: f.number }],
    status: 'active',
    intent: 'order',
    category: [
      { coding: [{ system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' }] },
    ],
    priority: f.priority as fhir4.ServiceRequest['priority'],
    subject: { reference: patientUrl },
    authoredOn: new Date().toISOString(),
    requester: org(f.sender),
    performer: [org(f.receiver)],
    performerType: { text: f.department },
    reasonCode: [{ text: f.diagnosis }],
  };
  const patient: fhir4.Patient = {
    resourceType: 'Patient',
    identifier: [{ system: RESIDENT_ID_SYSTEM, value: f.residentId }],
    name: [{ text: f.name }],
  };
  const task: fhir4.Task = {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    focus: { reference: requestUrl },
  };
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: patientUrl, resource: patient, request: { method: 'POST', url: 'Patient' } },
      { fullUrl: requestUrl, resource: request, request: { method: 'POST', url: 'ServiceRequest' } },
      { resource: task, request: { method: 'POST', url: 'Task' } },
    ],
  };
}

export function NewReferral({ onDone }: { readonly onDone: () => void }) {
  const i18n = useI18n();
  const { t, code } = i18n;
  const { api, session } = useSignedIn();
  const [form, setForm] = useState({
    receiver: '',
    residentId: '',
    name: '',
    department: '',
    diagnosis: '',
    priority: 'routine',
  });
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<Later>();
  const field = (k: keyof typeof form) => ({
    name: k,
    value: form[k],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const sender = session.institution!.code;
    const number = `R${Date.now().toString(36).toUpperCase()}`;
    setError(undefined);
    api
      .call('POST', '/fhir', referralBundle({ ...form, sender, number }), 'application/fhir+json')
      .then(() => {
        setDone(
          () =>
            ({ t }: I18nText) =>
              t('referrals.requested', { id: `${sender}.${number}` }),
        );
        onDone();
      }, setError);
  };
  return (
    <form className="card grid-form" onSubmit={submit} aria-labelledby="new-referral">
      <h2 id="new-referral">{t('referrals.new')}</h2>
      <label>
        {t('referrals.receiver')}
        <input required pattern="[A-Za-z0-9]{2,32}" {...field('receiver')} />
      </label>
      <label>
        {t('referrals.department')}
        <input required maxLength={100} {...field('department')} />
      </label>
      <label>
        {t('referrals.patientId')}
        <input required autoComplete="off" {...field('residentId')} />
      </label>
      <label>
        {t('referrals.patientName')}
        <input required {...field('name')} />
      </label>
      <label>
        {t('referrals.diagnosis')}
        <input required maxLength={200} {...field('diagnosis')} />
      </label>
      <label>
        {t('referrals.priority')}
        <select {...field('priority')}>
          {REFERRAL_PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {code('priority', p)}
            </option>
          ))}
        </select>
      </label>
      <div className="buttons">
        <button type="submit">{t('common.submit')}</button>
      </div>
      <ErrorNotice error={error} />
      <Info text={done?.(i18n)} />
    </form>
  );
}
