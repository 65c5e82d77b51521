// bert
