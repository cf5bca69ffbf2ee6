#!/usr/bin/env node
// Generates datasets/embedded-samsum/{train,validation,test}.json: synthetic, SAMSum-shaped chat
// dialogues with template-made reference summaries. The summaries are a learnable function of
// the chat (who, what, where, when are all said in it), so a tiny model trained for minutes can
// reach a non-trivial ROUGE. Plain JS, no build step, no dependencies: the output is a pure
// function of the seed, and `--check` verifies that the committed files match it byte for byte.
//
//   node datasets/tools/generate-embedded.mjs            # rewrite datasets/embedded-samsum/*.json
//   node datasets/tools/generate-embedded.mjs --out DIR  # write elsewhere
//   node datasets/tools/generate-embedded.mjs --check    # exit 1 if the committed files differ
import { writeFileSync, readFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEED = 20191127; // fixed: the committed corpus is the output for this seed
const SIZES = { train: 2000, validation: 200, test: 200 };
const ID_PREFIX = { train: 'tr', validation: 'va', test: 'te' };

// mulberry32: tiny, well-known 32-bit PRNG; enough for picking templates.
function makeRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
  };
}

const NAMES = [
  'Anna', 'Tom', 'Kate', 'Mark', 'Julia', 'Peter', 'Emma', 'Jack', 'Olivia', 'Adam', 'Lucy', 'Max',
  'Sophie', 'Daniel', 'Mia', 'Oscar', 'Laura', 'Ben', 'Chloe', 'Sam', 'Hannah', 'Leo', 'Grace', 'Nick',
  'Ella', 'Ryan', 'Zoe', 'Luke', 'Amy', 'Harry', 'Nina', 'Paul', 'Ivy', 'Eric', 'Rose', 'Victor',
];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday', 'tomorrow', 'tonight', 'the weekend'];
const TIMES = ['9 am', '10 am', '11 am', 'noon', '1 pm', '2 pm', '3 pm', '4 pm', '5 pm', '6 pm', '7 pm', '8 pm', '9 pm'];
const MEET_PLACES = ['the cinema', 'the park', 'the cafe on Main Street', 'the library', 'the station', 'the gym', 'the mall', 'the pub', 'the beach', 'the museum', 'the office', 'the pizza place'];
const ACTIVITIES = ['watch a film', 'have coffee', 'go for a run', 'study together', 'have lunch', 'play tennis', 'go shopping', 'see the new exhibition', 'have dinner', 'play board games'];
const ITEMS = ['milk', 'bread', 'eggs', 'apples', 'cheese', 'coffee', 'tomatoes', 'rice', 'bananas', 'butter', 'juice', 'chocolate', 'pasta', 'yogurt'];
const SHOPS = ['the supermarket', 'the corner shop', 'the market', 'the bakery', 'Tesco', 'Lidl'];
const LOST = ['keys', 'phone', 'wallet', 'umbrella', 'glasses', 'charger', 'scarf', 'headphones', 'passport', 'notebook'];
const FOUND_PLACES = ['in the kitchen', 'in the car', 'at the office', 'under the sofa', 'in the hallway', 'at the gym', 'in the bathroom', 'on the balcony'];
const BORROW = ['car', 'drill', 'camera', 'tent', 'laptop', 'bike', 'ladder', 'suitcase', 'projector', 'guitar'];
const REASONS = ['traffic', 'a delayed train', 'a long meeting', 'the rain', 'a flat tyre', 'a doctor appointment', 'a missed bus'];
const CITIES = ['London', 'Paris', 'Berlin', 'Madrid', 'Rome', 'Vienna', 'Prague', 'Dublin', 'Lisbon', 'Warsaw', 'Oslo', 'Athens'];
const DISHES = ['Italian', 'Thai', 'Indian', 'Mexican', 'Japanese', 'Greek', 'Chinese', 'Turkish'];
const RESTAURANTS = ['Bella Roma', 'Green Curry', 'Taco Loco', 'Sakura', 'Olive Tree', 'Golden Dragon', 'Spice Garden', 'Blue Door'];
const FILMS = ['Dune', 'Oppenheimer', 'Barbie', 'Inception', 'The Matrix', 'Interstellar', 'Up', 'Jaws', 'Alien', 'Arrival'];
const SUBJECTS = ['maths', 'chemistry', 'history', 'physics', 'biology', 'French', 'economics', 'statistics'];
const PETS = ['dog', 'cat', 'rabbit', 'parrot', 'hamster'];

const GREETINGS = ['Hi!', 'Hey', 'Hello', 'Hi there', 'Hey, you there?', 'Morning!', 'Yo'];
const REPLIES = ['Hi', 'Hey, what\'s up?', 'Hello :)', 'Yes, tell me', 'Hi! How are you?', 'Hey, sure'];
const FILLERS = [
  'How are you doing?', 'I\'m fine, thanks', 'Busy day at work', 'Long time no see', 'I just got home',
  'Sorry, I was in a meeting', 'Did you see the weather today?', 'It\'s so cold outside', 'I\'m so tired today',
  '<file_photo>', '<file_gif>', 'haha', 'lol', 'Good to hear', 'Same here', 'Can\'t complain',
  'I had such a crazy week, so much to do at work and at home', 'My sister is visiting us, so the house is full',
  'Finally Friday soon, I can\'t wait for the weekend', 'Did you watch the match yesterday? What a game!',
  'I started running in the mornings, it feels great', 'We painted the kitchen last weekend, it looks much better now',
];
const CLOSERS = ['Great, see you!', 'Perfect, thanks!', 'Ok, bye', 'Thanks a lot :)', 'Cool', 'See you then', 'Thank you!', 'Ok 👍', 'Sounds good'];
const ACKS = ['ok', 'Sure', 'No problem', 'Of course', 'Fine with me', 'Sounds good', 'Deal'];

function distinctNames(rng, n) {
  const out = [];
  while (out.length < n) { const x = rng.pick(NAMES); if (!out.includes(x)) out.push(x); }
  return out;
}

// Each scenario returns turns [speaker, text] for the core of the chat and the summary.
const SCENARIOS = [
  function meet(rng, [a, b, c]) {
    const day = rng.pick(DAYS), time = rng.pick(TIMES), place = rng.pick(MEET_PLACES), act = rng.pick(ACTIVITIES);
    const turns = [
      [a, `Do you want to ${act} ${day}?`],
      [b, rng.pick(['Sure, when?', 'Yes! What time?', 'Good idea, when?'])],
      [a, `Let's say ${time}`],
      [b, `Where?`],
      [a, `At ${place}`],
      [b, rng.pick(ACKS)],
    ];
    let summary = `${a} and ${b} will meet at ${place} at ${time} ${onDay(day)} to ${act}.`;
    if (c && rng.chance(0.6)) {
      turns.push([c, `I can't come ${day}, sorry`]);
      turns.push([a, rng.pick(['Pity', 'Next time then', 'Oh no'])]);
      summary += ` ${c} can't come.`;
    }
    return { turns, summary };
  },
  function shopping(rng, [a, b]) {
    const items = [rng.pick(ITEMS)];
    while (items.length < 1 + rng.int(3)) { const x = rng.pick(ITEMS); if (!items.includes(x)) items.push(x); }
    const shop = rng.pick(SHOPS);
    const list = joinList(items);
    return {
      turns: [
        [a, `Are you going to ${shop}?`],
        [b, rng.pick(['Yes, in a minute', 'Yeah, on my way', 'I can, why?'])],
        [a, `Can you buy ${list} for me?`],
        [b, rng.pick(ACKS)],
        [a, rng.pick(['I\'ll pay you back', 'Thanks, you\'re the best', 'I owe you one'])],
      ],
      summary: `${b} will buy ${list} at ${shop} for ${a}.`,
    };
  },
  function lostItem(rng, [a, b]) {
    const item = rng.pick(LOST), where = rng.pick(FOUND_PLACES);
    const found = rng.chance(0.7);
    const turns = [
      [a, `I can't find my ${item} anywhere`],
      [a, `Have you seen my ${item}?`],
      [b, found ? `Yes, ${item.endsWith('s') ? 'they were' : 'it was'} ${where}` : `No, sorry. Did you check ${where}?`],
    ];
    let summary;
    if (found) {
      turns.push([a, rng.pick(['Phew, thanks!', 'Oh great, thank you', 'What a relief'])]);
      summary = `${a} lost the ${item}. ${b} found ${item.endsWith('s') ? 'them' : 'it'} ${where}.`;
    } else {
      turns.push([a, `I'll check ${where}`]);
      summary = `${a} can't find the ${item}. ${b} suggests checking ${where}.`;
    }
    return { turns, summary };
  },
  function party(rng, [a, b, c]) {
    const day = rng.pick(DAYS.slice(0, 7)), place = rng.pick(['my place', 'the pub', 'the garden', 'the club', 'the restaurant']);
    const what = rng.pick(['birthday party', 'housewarming party', 'barbecue', 'farewell party', 'dinner party']);
    const turns = [
      [a, `I'm having a ${what} on ${day}`],
      [a, `It's at ${place}, starting at ${rng.pick(TIMES.slice(7))}`],
      [b, rng.pick(['I\'ll be there!', 'Count me in', 'Great, I\'ll come'])],
    ];
    let summary = `${a} is having a ${what} at ${place.replace('my place', `${a}'s place`)} on ${day}. ${b} will come`;
    if (c) {
      const brings = rng.pick(['a cake', 'some wine', 'snacks', 'music', 'beer']);
      turns.push([c, `Me too. Should I bring ${brings}?`]);
      turns.push([a, rng.pick(['Yes please!', 'That would be great', 'Sure, thanks'])]);
      summary += `, and ${c} will bring ${brings}.`;
    } else summary += '.';
    return { turns, summary };
  },
  function borrow(rng, [a, b]) {
    const thing = rng.pick(BORROW), day = rng.pick(DAYS.slice(0, 7));
    const yes = rng.chance(0.75);
    const turns = [
      [a, `Could I borrow your ${thing}?`],
      [a, `I need it until ${day}`],
    ];
    let summary;
    if (yes) {
      turns.push([b, rng.pick(['Sure, come and get it', 'Yes, no problem', 'Of course'])]);
      turns.push([b, `Just give it back on ${day}`]);
      summary = `${b} will lend ${a} the ${thing} until ${day}.`;
    } else {
      const [said, reported] = rng.pick([['I need it myself', `${b} needs it`], ['my brother has it', `${b}'s brother has it`], ['it\'s broken', 'it\'s broken']]);
      turns.push([b, `Sorry, ${said}`]);
      summary = `${a} wants to borrow ${b}'s ${thing}, but ${b} can't lend it because ${reported}.`;
    }
    return { turns, summary };
  },
  function late(rng, [a, b]) {
    const mins = rng.pick([5, 10, 15, 20, 30, 45]), why = rng.pick(REASONS);
    return {
      turns: [
        [a, `I'm running late, sorry`],
        [a, `I'll be there in ${mins} minutes`],
        [b, rng.pick(['What happened?', 'Why?', 'Again? :D'])],
        [a, `${capital(why)}`],
        [b, rng.pick(['No worries', 'Ok, I\'ll wait', 'Fine, I\'ll order a coffee'])],
      ],
      summary: `${a} will be ${mins} minutes late because of ${why}.`,
    };
  },
  function recommend(rng, [a, b]) {
    if (rng.chance(0.5)) {
      const dish = rng.pick(DISHES), r = rng.pick(RESTAURANTS);
      return {
        turns: [
          [a, `Do you know a good ${dish} restaurant?`],
          [b, `Try ${r}`],
          [b, rng.pick(['Their food is amazing', 'I was there last week', 'It\'s not expensive'])],
          [a, rng.pick(['Thanks, I\'ll book a table', 'Great, thanks!'])],
        ],
        summary: `${b} recommends ${r} to ${a} for ${dish} food.`,
      };
    }
    const film = rng.pick(FILMS);
    return {
      turns: [
        [a, `What should I watch tonight?`],
        [b, `Have you seen ${film}?`],
        [a, 'No'],
        [b, rng.pick(['You have to see it!', 'It\'s great', 'Watch it, you\'ll love it'])],
      ],
      summary: `${b} recommends ${a} to watch ${film} tonight.`,
    };
  },
  function airport(rng, [a, b]) {
    const city = rng.pick(CITIES), day = rng.pick(DAYS.slice(0, 7)), time = rng.pick(TIMES);
    return {
      turns: [
        [a, `I'm flying back from ${city} on ${day}`],
        [a, `Could you pick me up from the airport?`],
        [b, rng.pick(['Sure, what time do you land?', 'Of course, when?'])],
        [a, `At ${time}`],
        [b, `Ok, I'll be there at ${time}`],
      ],
      summary: `${b} will pick ${a} up from the airport at ${time} on ${day}. ${a} is coming back from ${city}.`,
    };
  },
  function exam(rng, [a, b]) {
    const subj = rng.pick(SUBJECTS), day = rng.pick(DAYS.slice(0, 5));
    return {
      turns: [
        [a, `Are you ready for the ${subj} exam on ${day}?`],
        [b, rng.pick(['Not at all', 'Not really, it\'s so hard', 'Kind of'])],
        [a, `Let's study together`],
        [b, `Good idea. At the library?`],
        [a, rng.pick(ACKS)],
      ],
      summary: `${a} and ${b} have a ${subj} exam on ${day}. They will study together at the library.`,
    };
  },
  function vet(rng, [a, b]) {
    const pet = rng.pick(PETS), day = rng.pick(DAYS.slice(0, 7)), time = rng.pick(TIMES.slice(0, 9));
    return {
      turns: [
        [a, `My ${pet} is sick`],
        [b, rng.pick(['Oh no! What happened?', 'Poor thing', 'Oh no'])],
        [a, `He doesn't eat anything`],
        [a, `I'm taking him to the vet on ${day} at ${time}`],
        [b, rng.pick(['Let me know how it goes', 'Fingers crossed', 'I hope it\'s nothing serious'])],
      ],
      summary: `${a}'s ${pet} is sick. ${a} is taking it to the vet on ${day} at ${time}.`,
    };
  },
];

function onDay(day) { return day === 'tomorrow' || day === 'tonight' ? day : `on ${day}`; }
function capital(s) { return s[0].toUpperCase() + s.slice(1); }
function joinList(xs) { return xs.length === 1 ? xs[0] : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`; }

function makeExample(rng, id) {
  const scenario = rng.pick(SCENARIOS);
  const speakers = distinctNames(rng, 2 + (rng.chance(0.35) ? 1 : 0));
  const [a, b] = speakers;
  const { turns, summary } = scenario(rng, speakers);
  const chat = [[a, rng.pick(GREETINGS)], [b, rng.pick(REPLIES)]];
  // Small talk before the point makes lengths vary (SAMSum dialogues range widely).
  const nFill = 1 + rng.int(7);
  for (let i = 0; i < nFill; i++) chat.push([speakers[i % speakers.length], rng.pick(FILLERS)]);
  chat.push(...turns);
  if (rng.chance(0.7)) chat.push([a, rng.pick(CLOSERS)]);
  // SAMSum mixes line ends: most dialogues use \r\n, some \n (never within one dialogue).
  const eol = rng.chance(0.85) ? '\r\n' : '\n';
  const dialogue = chat.map(([s, t]) => `${s}: ${t}`).join(eol);
  return { id, summary, dialogue };
}

export function generate(seed = SEED) {
  const rng = makeRng(seed);
  const out = {};
  for (const split of Object.keys(SIZES)) {
    const rows = [];
    for (let i = 0; i < SIZES[split]; i++) rows.push(makeExample(rng, `${ID_PREFIX[split]}${String(i + 1).padStart(5, '0')}`));
    out[split] = rows;
  }
  return out;
}

/** The exact bytes of each split file (SAMSum's layout: 2-space JSON array, trailing newline). */
export function render(corpus) {
  const files = {};
  for (const [split, rows] of Object.entries(corpus)) files[`${split}.json`] = JSON.stringify(rows, null, 2) + '\n';
  return files;
}

function main(argv) {
  const here = dirname(fileURLToPath(import.meta.url));
  let out = resolve(here, '../embedded-samsum');
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') out = resolve(argv[++i]);
    else if (argv[i] === '--check') check = true;
    else { console.error(`unknown argument ${argv[i]} (use --out DIR, --check)`); process.exit(2); }
  }
  const files = render(generate());
  if (check) {
    const bad = Object.entries(files).filter(([f, text]) => !existsSync(join(out, f)) || readFileSync(join(out, f), 'utf8') !== text);
    if (bad.length) { console.error(`differs from the generator output: ${bad.map(([f]) => f).join(', ')}`); process.exit(1); }
    console.log(`${out}: up to date`);
    return;
  }
  mkdirSync(out, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(out, f), text);
  console.log(`wrote ${Object.keys(files).join(', ')} to ${out}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
