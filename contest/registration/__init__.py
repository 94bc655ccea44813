"""Registration: units register their team and entrants (by form or Excel roster);
organisers review them."""
