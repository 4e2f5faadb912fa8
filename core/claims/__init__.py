"""Identity claims: a self-registered trainee account is bound to a Person only after proof
— a one-time SMS code to the phone on file, or a 人社局 officer's decision
on an uploaded ID document; a new person proves the phone they entered the same way."""
