//! What the two load generators of this crate share: `scope-policy-load` (src/main.rs,
//! `scripts/load-test.sh`) and `scope-policy-cold` (src/bin/cold.rs,
//! `scripts/cold-throughput.sh`). See [`client`].

pub mod client;
