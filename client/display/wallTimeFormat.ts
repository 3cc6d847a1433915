/** How a picked wall time reads in its field: the ISO order, 24-hour clock, so no locale can misread it. */
export const wallTimeDisplayFormat = 'YYYY-MM-DD HH:mm';

/** A `datetime-local` value ("2026-11-20T10:04") as the picker's field shows it. */
export const wallTimeAsShown = (wall: string): string => wall.replace('T', ' ');
