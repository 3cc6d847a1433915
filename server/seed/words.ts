/** Word lists the seed builds names, chat titles and prompts from. */

export const firstNames = [
  'Olivia', 'Liam', 'Sofia', 'Noah', 'Aisha', 'Mateo', 'Yuki', 'Lukas', 'Chloé', 'Arjun',
  'Emma', 'Kwame', 'Ingrid', 'Diego', 'Mei', 'Omar', 'Hannah', 'Ravi', 'Zoe', 'Felix',
  'Leila', 'Jonas', 'Camila', 'Ethan', 'Nadia', 'Kenji', 'Freya', 'Tariq', 'Lucia', 'Samuel',
  'Amelie', 'Hugo', 'Priya', 'Daniel', 'Ana', 'Erik', 'Fatima', 'Marco', 'Grace', 'Ivan',
  'Sara', 'Tom', 'Nina', 'Jamal', 'Elena', 'Oscar', 'Mira', 'Kai', 'Alice', 'Bruno',
  'Chiara', 'David', 'Eva', 'Hiro', 'Isla', 'Joon', 'Lina', 'Max', 'Noor', 'Pablo',
];

export const lastNames = [
  'Smith', 'García', 'Müller', 'Tanaka', 'Kowalski', 'Okoye', 'Rossi', 'Nguyen', 'Johansson', 'Patel',
  'Martin', 'Silva', 'Kim', 'Dubois', 'Ahmed', 'Novak', 'Andersen', 'Lopez', 'Schneider', 'Sato',
  'Brown', 'Costa', 'Ivanova', 'Hughes', 'Mensah', 'Fischer', 'Moreau', 'Haddad', 'Park', 'Jansen',
  'Romero', 'Wright', 'Lindqvist', 'Mwangi', 'Bianchi', 'Chen', 'Singh', 'Weber', 'Ortiz', 'Walsh',
  'Yilmaz', 'Nakamura', 'Fernandes', 'Kaur', 'Larsen', 'Reyes', 'Dimitrov', 'Adeyemi', 'Laurent', 'Cohen',
];

export const emailDomains = ['example.com', 'example.org', 'example.net'];

/** Zones with their standard offset in hours: customers work in their local daytime. */
export const timeZones: ReadonlyArray<readonly [string, number]> = [
  ['America/Los_Angeles', -8], ['America/Denver', -7], ['America/Chicago', -6], ['America/New_York', -5],
  ['America/Toronto', -5], ['America/Mexico_City', -6], ['America/Sao_Paulo', -3], ['America/Bogota', -5],
  ['Europe/London', 0], ['Europe/Lisbon', 0], ['Europe/Madrid', 1], ['Europe/Paris', 1],
  ['Europe/Berlin', 1], ['Europe/Warsaw', 1], ['Europe/Stockholm', 1], ['Europe/Athens', 2],
  ['Africa/Lagos', 1], ['Africa/Nairobi', 3], ['Asia/Dubai', 4], ['Asia/Kolkata', 5.5],
  ['Asia/Singapore', 8], ['Asia/Tokyo', 9], ['Asia/Seoul', 9], ['Australia/Sydney', 10],
];

export const subjects = [
  'a ceramic coffee mug', 'a red fox in fresh snow', 'an astronaut cat', 'a vintage bicycle', 'a lighthouse on a cliff',
  'a steaming bowl of ramen', 'a pair of running shoes', 'a cozy reading nook', 'an origami paper dragon', 'a robot barista',
  'a neon-lit night market', 'a glass perfume bottle', 'a mountain cabin', 'a koi pond', 'a hummingbird',
  'a sourdough loaf', 'a skateboarder mid-jump', 'a futuristic sports car', 'a glowing jellyfish', 'a desert caravan',
  'a cherry blossom tree', 'a tiny house in the woods', 'a gold wristwatch', 'a violin on a stage', 'a sunflower field',
  'a sailboat at sea', 'a snow leopard', 'a steampunk airship', 'a corner bakery storefront', 'a golden retriever puppy',
  'a pair of wireless headphones', 'a bottle of olive oil', 'a floating island', 'a medieval castle', 'a monstera in a terracotta pot',
];

export const settings = [
  'on a marble countertop', 'at golden hour', 'in a misty forest', 'on a rainy city street', 'against a pastel backdrop',
  'in outer space', 'on a sandy beach', 'in a minimalist white studio', 'under neon lights', 'in a snowy village',
  'on a rustic wooden table', 'in a sunlit kitchen', 'on a rooftop at dusk', 'in a lush greenhouse',
];

export const styles = [
  'photorealistic', 'watercolor', 'isometric 3D render', 'cinematic', 'studio product photography', 'anime style',
  'flat vector illustration', 'oil painting', 'low-poly', '35mm film photo', 'claymation', 'pixel art',
];

export const details = [
  'soft shadows', 'shallow depth of field', 'ultra detailed', 'volumetric light', 'high contrast', 'muted colors',
  'vibrant colors', 'centered composition', 'wide angle', 'rim lighting', 'no text', 'white background',
];

export const cameraMoves = [
  'Slow dolly-in on', 'Drone shot circling', 'Handheld tracking shot of', 'Timelapse of', 'Static wide shot of', 'Orbiting close-up of',
];

export const actions = [
  'turning slowly', 'in a gentle breeze', 'with steam rising', 'as the sun sets', 'with falling snow',
  'bouncing playfully', 'blinking and smiling', 'with flickering lights', 'in slow motion',
];

/** Chat titles; `{}` is the chat's subject without its article. */
export const titleTemplates = [
  'Product shots: {}', '{} for the website hero', 'Social post – {}', 'Storyboard: {}', 'Moodboard with {}',
  'Ad concept featuring {}', 'Thumbnail ideas – {}', '{} loop for Instagram', 'Poster art: {}', 'Explainer clip – {}',
  'Newsletter header with {}', 'Pitch deck visuals – {}',
];
