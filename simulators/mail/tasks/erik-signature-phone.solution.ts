import type { Solution } from "@terrarium/sdk";
import { Roundcube } from "./lib/roundcube.js";

const ERIK_IDENTITY = 7; // README: identities of the seed
const SIGNATURE = "Erik Nilsson\nSupport & Sales Engineer, Kestrel Systems\n+351 21 000 4430";

// Settings > Identities > erik@kestrel.example > Save: the form posts every field back.
export const solve: Solution = async ({ urls }) => {
  const rc = await Roundcube.login(urls.mail!, "erik");
  await rc.saveIdentity(ERIK_IDENTITY, {
    name: "Erik Nilsson",
    email: "erik@kestrel.example",
    organization: "Kestrel Systems",
    signature: SIGNATURE,
    standard: true,
  });
};

// Saves the form with "Set default" unticked: the signature is right, but erik loses his default identity.
export const wrong: Solution = async ({ urls }) => {
  const rc = await Roundcube.login(urls.mail!, "erik");
  await rc.saveIdentity(ERIK_IDENTITY, {
    name: "Erik Nilsson",
    email: "erik@kestrel.example",
    organization: "Kestrel Systems",
    signature: SIGNATURE,
    standard: false,
  });
};
