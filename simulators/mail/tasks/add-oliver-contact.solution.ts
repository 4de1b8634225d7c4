import type { Solution } from "@terrarium/sdk";
import { Roundcube } from "./lib/roundcube.js";

export const solve: Solution = async ({ urls }) => {
  const rc = await Roundcube.login(urls.mail!, "dana");
  await rc.addContact({
    firstname: "Oliver",
    surname: "Grant",
    email: "oliver.grant@northwind.example",
    organization: "Northwind Traders Ltd",
  });
};

// Guesses the address from the company's name instead of reading it off his mail.
export const wrong: Solution = async ({ urls }) => {
  const rc = await Roundcube.login(urls.mail!, "dana");
  await rc.addContact({
    firstname: "Oliver",
    surname: "Grant",
    email: "oliver.grant@northwindtraders.example",
    organization: "Northwind Traders Ltd",
  });
};
