import type { AppContext } from '../context.ts';
import type { Role } from '../../shared/roles.ts';

/** The demo accounts of a non-production install; README and start-up print them. */
export const demoStaff: ReadonlyArray<{ email: string; name: string; role: Role; password: string }> = [
  { email: 'agent@tokendesk.test', name: 'Ada Agent', role: 'agent', password: 'demo-agent-pass' },
  { email: 'lead@tokendesk.test', name: 'Lee Lead', role: 'lead', password: 'demo-lead-pass' },
  { email: 'admin@tokendesk.test', name: 'Ari Admin', role: 'admin', password: 'demo-admin-pass' },
];

export async function createDemoStaff(ctx: AppContext): Promise<void> {
  for (const person of demoStaff) {
    if (!(await ctx.staff.byEmail(person.email))) await ctx.staff.create(person, { type: 'system' });
  }
}
