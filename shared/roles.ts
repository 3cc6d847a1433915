import { z } from 'zod';

export const roles = ['agent', 'lead', 'admin'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

/** Leads and admins decide on credits; admins also manage staff and policy. */
export const isLeadOrAdmin = (role: Role): boolean => role === 'lead' || role === 'admin';
