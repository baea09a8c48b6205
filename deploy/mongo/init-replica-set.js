// One-shot initiator (service mongo-init in docker-compose.yml): make mongo1..3 the replica set
// rs0, or do nothing when it already exists (restarts, volumes kept).
const config = {
  _id: "rs0",
  members: [
    { _id: 0, host: "mongo1:27017", priority: 2 },
    { _id: 1, host: "mongo2:27017", priority: 1 },
    { _id: 2, host: "mongo3:27017", priority: 1 },
  ],
};
try {
  rs.status();
  print("replica set rs0 already initiated");
} catch (error) {
  if (error.codeName !== "NotYetInitialized") throw error;
  rs.initiate(config);
  print("replica set rs0 initiated");
}
